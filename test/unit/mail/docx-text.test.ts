import { deflateRawSync } from 'node:zlib';
import { DOCX_LIMITS, docxText } from '../../../lambdas/mail/adapters/docx-text';

/** A zip of the given files, deflated (the reader checks no CRC, so none is computed). */
function zip(files: Record<string, Buffer | string>, { method = 8, encrypted = false } = {}): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const raw = Buffer.from(content);
    const data = method === 8 ? deflateRawSync(raw) : raw;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(encrypted ? 1 : 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(encrypted ? 1 : 0, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(raw.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    directory.push(entry, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const body = (paragraphs: string) =>
  `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs}</w:body></w:document>`;

describe('docxText', () => {
  it('reads the body paragraph by paragraph, runs joined, entities decoded, field codes left out', () => {
    const docx = zip({
      '[Content_Types].xml': '<Types/>',
      'word/document.xml': body(
        '<w:p><w:r><w:t xml:space="preserve">Bitte löschen Sie </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>mein Konto</w:t></w:r><w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r></w:p>' +
          '<w:p><w:r><w:t>Name:</w:t><w:tab/><w:t>Anna &amp; Co &#8211; M&#xFC;ller</w:t></w:r></w:p>',
      ),
    });
    expect(docxText(docx)).toBe('Bitte löschen Sie mein Konto\nName:\tAnna & Co – Müller');
  });

  it('reads a stored (uncompressed) body too', () => {
    expect(docxText(zip({ 'word/document.xml': body('<w:p><w:r><w:t>Delete my data</w:t></w:r></w:p>') }, { method: 0 }))).toBe(
      'Delete my data',
    );
  });

  it.each([
    ['not a zip', Buffer.from('%PDF-1.4 not a word file at all, though it is long enough')],
    ['a zip without a body', zip({ 'word/styles.xml': '<w:styles/>' })],
    ['an encrypted body', zip({ 'word/document.xml': body('<w:p><w:r><w:t>secret</w:t></w:r></w:p>') }, { encrypted: true })],
    ['a body of no words', zip({ 'word/document.xml': body('<w:p></w:p>') })],
    ['a truncated file', zip({ 'word/document.xml': body('<w:p><w:r><w:t>Delete</w:t></w:r></w:p>') }).subarray(0, 40)],
  ])('gives nothing for %s, and never throws', (_what, bytes) => {
    expect(docxText(bytes)).toBeUndefined();
  });

  it('stops a zip bomb at its cap: 64 MB of XML in a small file is not inflated', () => {
    const bomb = zip({ 'word/document.xml': Buffer.alloc(64 * 1024 * 1024, 0x20) });
    expect(bomb.length).toBeLessThan(DOCX_LIMITS.maxBytes);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    expect(docxText(bomb)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('opens no file over its size limit', () => {
    const docx = zip({ 'word/document.xml': body('<w:p><w:r><w:t>Delete my data</w:t></w:r></w:p>') });
    expect(docxText(docx, { ...DOCX_LIMITS, maxBytes: docx.length - 1 })).toBeUndefined();
  });
});
