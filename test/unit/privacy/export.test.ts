import { buildExport, EXPORTED_TABLES, type ArchiveSink, type SubjectData } from '../../../lambdas/privacy/domain/export';
import type { PrivacyRequest } from '../../../lambdas/privacy/domain/model';
import { ExportDocumentSchema, renderExportFormat } from '../../../lambdas/privacy/export-schema';
import { LOCALES } from '../../../lambdas/privacy/messages';
import { BUCKET_DATA_MAP, DATA_MAP } from '../../../lambdas/shared/data-map';
import { AUTOMATED_DECISIONS, PURPOSES, RECIPIENTS, RIGHTS_NOTE, SOURCES, TRANSFERS } from '../../../lambdas/shared/processing';

/** An archive in memory: each file's text. */
class MemorySink implements ArchiveSink {
  readonly files: Record<string, string> = {};
  private readonly pending: Promise<void>[] = [];
  add(name: string, content: AsyncIterable<string>): void {
    this.pending.push(
      (async () => {
        let text = '';
        for await (const chunk of content) text += chunk;
        this.files[name] = text;
      })(),
    );
  }
  async finish() {
    await Promise.all(this.pending);
    return { bytes: Object.values(this.files).join('').length };
  }
}

const subject = { accountId: 'acc_1', email: 'ann@example.org' };
const request = { requestId: 'prq_1', type: 'access', accountId: subject.accountId, email: subject.email } as PrivacyRequest;
const data: SubjectData = {
  async *items(table) {
    if (table === 'ledger') {
      yield {
        kind: 'entry',
        at: '2026-12-01T00:00:00Z',
        entryId: 'led_1',
        type: 'clawback',
        amountMicro: -500_000_000,
        reason: '=HYPERLINK("evil")',
      };
    }
    if (table === 'usageLogs') {
      yield {
        requestId: 'r1',
        product: 'echo',
        method: 'GET',
        path: '/x',
        status: 200,
        at: '2026-12-01T00:00:00Z',
        ip: '203.0.113.1',
        userAgent: '-cmd',
        priceMicroCredits: 1_500_000,
      };
    }
  },
};

describe('the access archive', () => {
  it('keeps numbers as numbers, gives amounts in credits too, and defuses formulas in text only', async () => {
    const sink = new MemorySink();
    await buildExport(request, data, sink, new Date('2026-12-05T00:00:00Z'));
    const [header, row] = sink.files['ledger.csv']!.trim().split('\r\n');
    const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
    expect(cells).toMatchObject({ amountCredits: '-500', amountMicro: '-500000000', type: 'clawback' });
    expect(row).toContain(`"'=HYPERLINK(""evil"")"`);
    const log = sink.files['usage-logs.csv']!.trim().split('\r\n')[1]!;
    expect(log).toContain(',1.5,1500000,');
    expect(log).toContain(",'-cmd");
  });

  it("carries the format its README points to: a customer cannot reach the project's docs", async () => {
    const sink = new MemorySink();
    await buildExport(request, data, sink, new Date('2026-12-05T00:00:00Z'));
    const pointed = sink.files['README.txt']!.match(/docs\/export-format\.md/)![0];
    expect(sink.files[pointed]).toBe(renderExportFormat());
    expect(sink.files[pointed]).toContain('| `data.json` |');
  });

  it('answers art. 15(1) for every category of the data map, in data.json and the README', async () => {
    const sink = new MemorySink();
    await buildExport(request, data, sink, new Date('2026-12-05T00:00:00Z'));
    const document = ExportDocumentSchema.parse(JSON.parse(sink.files['data.json']!));
    const categories = [...Object.keys(DATA_MAP), ...Object.keys(BUCKET_DATA_MAP)];
    expect(Object.keys(document.processing.categories).sort()).toEqual(categories.sort());
    for (const name of categories) {
      const category = document.processing.categories[name]!;
      expect(category.purposes.length).toBeGreaterThan(0);
      expect(category.purposes.every((p) => p in document.processing.purposes)).toBe(true);
      expect(category.recipients.every((r) => r in document.processing.recipients)).toBe(true);
      expect(sink.files['README.txt']).toContain(`(${name})\r\n`);
    }
    expect(document.processing.transfers.length).toBeGreaterThan(0);
    expect(document.processing.automatedDecisions).toMatch(/No decision with legal/);
    expect(sink.files['README.txt']).toMatch(/Transfers outside the EEA/);
    expect(Object.keys(document.categories)).toEqual(EXPORTED_TABLES);
  });

  it('speaks English in the very words of the data map and the policy, so the three cannot disagree', async () => {
    const sink = new MemorySink();
    await buildExport({ ...request, language: 'en' }, data, sink, new Date('2026-12-05T00:00:00Z'));
    const { processing } = ExportDocumentSchema.parse(JSON.parse(sink.files['data.json']!));
    expect(processing.language).toBe('en');
    expect(processing.purposes).toEqual(PURPOSES);
    expect(processing.recipients).toEqual(RECIPIENTS);
    expect(processing.transfers).toEqual(TRANSFERS.map(({ to, safeguard }) => ({ to, safeguard })));
    expect([processing.automatedDecisions, processing.rights]).toEqual([AUTOMATED_DECISIONS, RIGHTS_NOTE]);
    for (const [name, entry] of Object.entries({ ...DATA_MAP, ...BUCKET_DATA_MAP })) {
      expect({ name, source: processing.categories[name]!.source, retention: processing.categories[name]!.retention }).toEqual({
        name,
        source: SOURCES[entry.source],
        retention: entry.retention,
      });
    }
  });

  it.each(LOCALES.filter((l) => l !== 'en'))(
    'writes README.txt and the processing section in %s, from the catalogue, for every category',
    async (language) => {
      const sink = new MemorySink();
      await buildExport({ ...request, language }, data, sink, new Date('2026-12-05T00:00:00Z'));
      const { processing } = ExportDocumentSchema.parse(JSON.parse(sink.files['data.json']!));
      const readme = sink.files['README.txt']!;
      const english = new MemorySink();
      await buildExport(request, data, english, new Date('2026-12-05T00:00:00Z'));
      const inEnglish = ExportDocumentSchema.parse(JSON.parse(english.files['data.json']!)).processing;
      expect(processing.language).toBe(language);
      expect(processing.languageNote).toBeUndefined();
      // Every text is this language's own: none falls back to English, none is left empty.
      const texts = (p: typeof processing) => [
        p.controller,
        ...Object.values(p.purposes).flatMap((x) => [x.description, x.legalBasis]),
        ...Object.values(p.recipients).flatMap((x) => [x.name, x.role]),
        ...Object.values(p.categories).flatMap((x) => [x.source, x.retention]),
        ...p.transfers.flatMap((t) => [t.to, t.safeguard]),
        p.automatedDecisions,
        p.rights,
      ];
      const [own, en] = [texts(processing), texts(inEnglish)];
      expect(own.filter((text, i) => !text || text === en[i])).toEqual([]);
      expect(Object.keys(processing.categories).sort()).toEqual([...Object.keys(DATA_MAP), ...Object.keys(BUCKET_DATA_MAP)].sort());
      // The README says all of it, in the same words, with no English heading left. Lines of languages written
      // without spaces (Chinese, Japanese, Thai) break inside their sentences, so there the words are compared without spaces.
      const unspaced = ['zh', 'ja', 'th'].includes(language.split('-')[0]!);
      const flat = (text: string) => (unspaced ? text.replace(/\s+/g, '') : text.replace(/\r\n\s*/g, ' '));
      for (const text of [...own, ...Object.values(processing.categories).map((c) => c.name)]) expect(flat(readme)).toContain(flat(text));
      expect(readme).not.toMatch(/Who receives it|How long we keep it|Transfers outside the EEA|Your rights/);
      expect(readme).toContain(new Intl.NumberFormat(language).format(90));
      // No line is longer than the README's width (its indent aside), and none was dropped to keep it so.
      expect(readme.split('\r\n').filter((line) => [...line.trimStart()].length > 96)).toEqual([]);
    },
  );

  it('writes the export of a request in a language we do not write in English, saying so first', async () => {
    const sink = new MemorySink();
    await buildExport({ ...request, language: 'ka' }, data, sink, new Date('2026-12-05T00:00:00Z'));
    const { processing } = ExportDocumentSchema.parse(JSON.parse(sink.files['data.json']!));
    expect(processing).toMatchObject({
      language: 'en',
      languageNote: 'You wrote to us in Georgian. We answer in English because we do not yet write Georgian.',
    });
    expect(sink.files['README.txt']!.split('\r\n')[0]).toBe(
      'You wrote to us in Georgian. We answer in English because we do not yet write Georgian.',
    );
    expect(sink.files['README.txt']).toContain('Who receives it:');
  });
});
