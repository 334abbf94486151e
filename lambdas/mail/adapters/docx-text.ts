import { inflateRawSync } from 'node:zlib';

/** How much of a Word document is read: a letter is a page or two, and a hostile file gets no more. */
export interface DocxLimits {
  /** Larger files are not opened at all. */
  maxBytes: number;
  /** The document's XML is inflated to at most this many bytes (a zip bomb stops here). */
  maxXmlBytes: number;
  maxChars: number;
}

export const DOCX_LIMITS: DocxLimits = { maxBytes: 5_000_000, maxXmlBytes: 4_000_000, maxChars: 100_000 };

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const BODY = 'word/document.xml';

/**
 * The text of a Word (.docx) document's body, paragraph by paragraph; undefined when there is none to
 * read (not a zip, no body, encrypted, too large). A .docx is a zip of XML: its central directory is read
 * by hand and the one body part inflated with a cap on its size, so nothing else in the file is touched.
 * It never throws.
 */
export function docxText(bytes: Buffer, limits: DocxLimits = DOCX_LIMITS): string | undefined {
  if (bytes.length < 22 || bytes.length > limits.maxBytes) return undefined;
  try {
    const xml = entry(bytes, BODY, limits.maxXmlBytes);
    if (!xml) return undefined;
    const text = wordText(xml.toString('utf8')).slice(0, limits.maxChars).trim();
    return /\p{L}/u.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** One file of a zip, inflated (at most `max` bytes), or undefined. */
function entry(zip: Buffer, name: string, max: number): Buffer | undefined {
  let end = -1;
  // The end record is the last 22 bytes, before a comment of at most 65,535.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65_535); at--)
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  if (end < 0) return undefined;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count && at + 46 <= zip.length; i++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) return undefined;
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      // Encrypted entries cannot be read.
      if (flags & 1) return undefined;
      const local = zip.readUInt32LE(at + 42);
      if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL_HEADER) return undefined;
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      if (method === 0) return data.length <= max ? data : undefined;
      if (method === 8) return inflateRawSync(data, { maxOutputLength: max });
      return undefined;
    }
    at = next;
  }
  return undefined;
}

/** WordprocessingML as text: each paragraph a line, tabs and breaks kept, markup and field codes dropped. */
function wordText(xml: string): string {
  let text = '';
  for (const [token, run] of xml.matchAll(/<w:t(?:\s[^>]*)?>([\s\S]*?)<\/w:t>|<w:tab\/>|<w:(?:br|cr)\b[^>]*\/>|<\/w:p>/g))
    text += run !== undefined ? run : token === '<w:tab/>' ? '\t' : '\n';
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, name: string) => entity(name)).replace(/\n{3,}/g, '\n\n');
}

function entity(name: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  if (name[0] !== '#') return named[name.toLowerCase()] ?? '';
  const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}
