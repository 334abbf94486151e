import { usageLogRetentionDays } from '../../shared/usage-logs';
import { microToCredits } from '../../shared/credits';
import { BUCKET_DATA_MAP, DATA_MAP, type DataMapEntry } from '../../shared/data-map';
import { AUTOMATED_DECISIONS, PURPOSES, RECIPIENTS, RIGHTS_NOTE, SOURCES, TRANSFERS } from '../../shared/processing';
import { CSV_COLUMNS, EXPORT_ITEM_SCHEMAS, type ExportedTable } from '../export-schema';
import type { PrivacyRequest } from './model';

/** Port: one category of a subject's data, read by the data map's access path, a page at a time. */
export interface SubjectData {
  items(table: ExportedTable, subject: { accountId: string; email: string }): AsyncIterable<Record<string, unknown>>;
}

/** Port: where the archive is written, file by file, streamed (never whole in memory). */
export interface ArchiveSink {
  add(name: string, content: AsyncIterable<string>): void;
  /** Closes the archive and waits until it is stored. */
  finish(): Promise<{ bytes: number }>;
}

/** Every category of the data map, tables and buckets, with what the policy says of its processing. */
const ALL_CATEGORIES = { ...DATA_MAP, ...BUCKET_DATA_MAP } as Record<string, DataMapEntry>;

/** data.json's `processing` section: art. 15(1)'s answers, from the data map and the policy's declarations. */
export function processingSection() {
  return {
    controller: 'OmnAPI — privacy@omnapi.com (privacy), support@omnapi.com (support), hello@omnapi.com (general)',
    purposes: PURPOSES,
    recipients: RECIPIENTS,
    categories: Object.fromEntries(
      Object.entries(ALL_CATEGORIES).map(([name, entry]) => [name, { purposes: [...entry.purposes], recipients: [...entry.recipients], source: SOURCES[entry.source], retention: entry.retention }]),
    ),
    transfers: TRANSFERS.map((t) => ({ ...t })),
    automatedDecisions: AUTOMATED_DECISIONS,
    rights: RIGHTS_NOTE,
  };
}

/** The tables the export reads, in the order data.json lists them. */
export const EXPORTED_TABLES = Object.keys(EXPORT_ITEM_SCHEMAS) as ExportedTable[];

const csvCell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  // Numbers stay numbers (a negative amount is not a formula); only text is defused.
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Quote when needed, and defuse spreadsheet formulas in text (a cell starting with = + - @).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
/** Micro-credits as a number of credits (6 decimals at most, exact). */
const inCredits = (micro: unknown): number | undefined => (typeof micro === 'number' ? Number(microToCredits(micro)) : undefined);
const pick = (item: Record<string, unknown>, path: string) => path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], item);

/**
 * Builds the access/portability archive: `data.json` with every category the data map exports,
 * `usage-logs.csv`, `ledger.csv` and `README.txt`. Each category is streamed page by page from the
 * store into the archive, so 100,000 log items take no more memory than one page. Every item is
 * checked against the documented schema (docs/export-format.md).
 */
export async function buildExport(request: PrivacyRequest, data: SubjectData, sink: ArchiveSink, now: Date): Promise<{ bytes: number; files: Record<string, number> }> {
  const subject = { accountId: request.accountId, email: request.email };
  const counts: Record<string, number> = {};

  async function* dataJson(): AsyncIterable<string> {
    yield `{"format":"omnapi-export/1","requestId":${JSON.stringify(request.requestId)},"generatedAt":"${now.toISOString()}",`;
    yield `"account":${JSON.stringify(subject)},"processing":${JSON.stringify(processingSection())},"categories":{`;
    for (const [index, table] of EXPORTED_TABLES.entries()) {
      const entry = DATA_MAP[table];
      yield `${index ? ',' : ''}${JSON.stringify(table)}:{"description":${JSON.stringify(entry.purpose)},"retention":${JSON.stringify(entry.retention)},"items":[`;
      let count = 0;
      for await (const item of data.items(table, subject)) {
        const checked = EXPORT_ITEM_SCHEMAS[table].parse(item);
        yield `${count++ ? ',' : ''}\n${JSON.stringify(checked)}`;
      }
      counts[`data.json:${table}`] = count;
      yield `],"count":${count}}`;
    }
    yield '}}\n';
  }

  async function* csv(file: keyof typeof CSV_COLUMNS, rows: AsyncIterable<Record<string, unknown>>): AsyncIterable<string> {
    const columns = CSV_COLUMNS[file];
    yield `${columns.join(',')}\r\n`;
    let count = 0;
    for await (const row of rows) {
      count++;
      yield `${columns.map((c) => csvCell(pick(row, c))).join(',')}\r\n`;
    }
    counts[file] = count;
  }

  async function* ledgerEntries(): AsyncIterable<Record<string, unknown>> {
    for await (const item of data.items('ledger', subject)) if (item.kind === 'entry') yield { ...item, amountCredits: inCredits(item.amountMicro) };
  }

  async function* usageLogs(): AsyncIterable<Record<string, unknown>> {
    for await (const item of data.items('usageLogs', subject)) yield { ...item, priceCredits: inCredits(item.priceMicroCredits) };
  }

  async function* readme(): AsyncIterable<string> {
    const processing = processingSection();
    const wrap = (text: string) => text.match(/.{1,96}(\s|$)/g)!.map((line) => `  ${line.trim()}`);
    yield [
      'Your OmnAPI data',
      '================',
      '',
      `Request ${request.requestId} (${request.type}), made ${now.toISOString()}, for the account ${subject.accountId} (${subject.email}).`,
      '',
      'data.json       Every category of personal data we hold about you, as JSON. Each category says what it',
      '                is and how long we keep it. The format is described in docs/export-format.md of the API.',
      '                Secrets (password hash, session and key hashes) are never included.',
      `usage-logs.csv  Your API calls of the last ${usageLogRetentionDays()} days, one row per call (comma-separated, UTF-8).`,
      'ledger.csv      Every movement of your credits: purchases, grants, refunds, clawbacks, dispute holds.',
      '                Usage charges are in data.json (usageAggregates): balance = ledger − charged usage.',
      '',
      'How we process your data (GDPR art. 15(1))',
      '------------------------------------------',
      ...Object.entries(ALL_CATEGORIES).flatMap(([name, entry]) => [
        `${name}: ${entry.purpose}`,
        ...wrap(`Why: ${entry.purposes.map((p) => `${PURPOSES[p].description} (${PURPOSES[p].legalBasis})`).join('; ')}.`),
        ...wrap(`Who receives it: ${entry.recipients.map((r) => RECIPIENTS[r].name).join('; ')}.`),
        ...wrap(`Where it comes from: ${SOURCES[entry.source]}. How long we keep it: ${entry.retention}.`),
        '',
      ]),
      'Transfers outside the EEA:',
      ...processing.transfers.flatMap((t) => wrap(`${t.to}: ${t.safeguard}.`)),
      '',
      'Automated decisions:',
      ...wrap(AUTOMATED_DECISIONS),
      '',
      'Your rights:',
      ...wrap(RIGHTS_NOTE),
      '',
      'The same answers are in data.json, under "processing".',
      '',
      'Questions: privacy@omnapi.com',
      '',
    ].join('\r\n');
  }

  sink.add('README.txt', readme());
  sink.add('data.json', dataJson());
  sink.add('usage-logs.csv', csv('usage-logs.csv', usageLogs()));
  sink.add('ledger.csv', csv('ledger.csv', ledgerEntries()));
  const { bytes } = await sink.finish();
  return { bytes, files: counts };
}
