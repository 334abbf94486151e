import { buildExport, EXPORTED_TABLES, type ArchiveSink, type SubjectData } from '../../../lambdas/privacy/domain/export';
import type { PrivacyRequest } from '../../../lambdas/privacy/domain/model';
import { ExportDocumentSchema } from '../../../lambdas/privacy/export-schema';
import { BUCKET_DATA_MAP, DATA_MAP } from '../../../lambdas/shared/data-map';

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
      yield { kind: 'entry', at: '2026-12-01T00:00:00Z', entryId: 'led_1', type: 'clawback', amountMicro: -500_000_000, reason: '=HYPERLINK("evil")' };
    }
    if (table === 'usageLogs') {
      yield { requestId: 'r1', product: 'echo', method: 'GET', path: '/x', status: 200, at: '2026-12-01T00:00:00Z', ip: '203.0.113.1', userAgent: '-cmd', priceMicroCredits: 1_500_000 };
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
      expect(sink.files['README.txt']).toContain(`${name}: `);
    }
    expect(document.processing.transfers.length).toBeGreaterThan(0);
    expect(document.processing.automatedDecisions).toMatch(/No decision with legal/);
    expect(sink.files['README.txt']).toMatch(/Transfers outside the EEA/);
    expect(Object.keys(document.categories)).toEqual(EXPORTED_TABLES);
  });
});
