import { usageLogRetentionDays } from '../../shared/usage-logs';
import { microToCredits } from '../../shared/credits';
import { BUCKET_DATA_MAP, DATA_MAP, type DataMapEntry } from '../../shared/data-map';
import { auditRetentionDaysOf } from '../../shared/audit';
import { DELIVERY_RECORD_DAYS, NOTICE_RETENTION_DAYS } from '../../shared/notice-topics';
import { EMAIL_TOKEN_TTL_SECONDS } from '../../shared/email-links';
import { PURPOSES, type PurposeId, RECIPIENTS, type RecipientId, TRANSFERS } from '../../shared/processing';
import { type Messages, messagesFor } from '../messages';
import { CSV_COLUMNS, EXPORT_FORMAT_FILE, EXPORT_ITEM_SCHEMAS, type ExportedTable, renderExportFormat } from '../export-schema';
import { DOWNLOAD_LINK_HOURS, type PrivacyRequest, type RequestType } from './model';

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

/** The right a request exercises, named in the reply's language. */
export const rightLabel = (m: Messages, type: RequestType): string => m.t('right.label', { type });

/** Every category of the data map, tables and buckets, with what the policy says of its processing. */
const ALL_CATEGORIES = { ...DATA_MAP, ...BUCKET_DATA_MAP } as Record<string, DataMapEntry>;

/** The numbers the retention messages name, from the settings and constants that set them. */
export const retentionValues = () =>
  ({
    usageLogDays: usageLogRetentionDays(),
    tokenHours: EMAIL_TOKEN_TTL_SECONDS / 3600,
    auditDays: auditRetentionDaysOf(),
    linkHours: DOWNLOAD_LINK_HOURS,
    noticeDays: NOTICE_RETENTION_DAYS,
    deliveryDays: DELIVERY_RECORD_DAYS,
  }) as const;

/**
 * data.json's `processing` section: art. 15(1)'s answers in the reply's language. Which purposes,
 * recipients, source and retention each category has comes from the data map (and the policy's
 * declarations in shared/processing.ts); the words come from the message catalogues, whose English
 * a test holds to the data map's own.
 */
export function processingSection(m: Messages) {
  return {
    language: m.locale,
    ...(m.unsupported ? { languageNote: m.t('fallback.englishOnly', { language: m.unsupported }) } : {}),
    controller: m.t('processing.controller'),
    purposes: Object.fromEntries(
      (Object.keys(PURPOSES) as PurposeId[]).map((purpose) => [
        purpose,
        { description: m.t('purpose.description', { purpose }), legalBasis: m.t('purpose.legalBasis', { purpose }) },
      ]),
    ),
    recipients: Object.fromEntries(
      (Object.keys(RECIPIENTS) as RecipientId[]).map((recipient) => [
        recipient,
        {
          name: m.t('recipient.name', { recipient }),
          role: m.t('recipient.role', { recipient }),
          location: m.t('recipient.location', { recipient }),
        },
      ]),
    ),
    categories: Object.fromEntries(
      Object.entries(ALL_CATEGORIES).map(([category, entry]) => [
        category,
        {
          name: m.t('category.label', { category }),
          purposes: [...entry.purposes],
          recipients: [...entry.recipients],
          source: m.t('source.label', { source: entry.source }),
          retention: m.t('retention.category', { category, ...retentionValues() }),
        },
      ]),
    ),
    transfers: TRANSFERS.map(({ id: transfer }) => ({
      to: m.t('transfer.to', { transfer }),
      safeguard: m.t('transfer.safeguard', { transfer }),
    })),
    automatedDecisions: m.t('processing.automatedDecisions'),
    rights: m.t('processing.rights'),
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
const pick = (item: Record<string, unknown>, path: string) =>
  path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], item);

/**
 * Builds the access/portability archive: `data.json` with every category the data map exports,
 * `usage-logs.csv`, `ledger.csv` and `README.txt`. Each category is streamed page by page from the
 * store into the archive, so 100,000 log items take no more memory than one page. Every item is
 * checked against the documented schema (docs/export-format.md).
 */
export async function buildExport(
  request: PrivacyRequest,
  data: SubjectData,
  sink: ArchiveSink,
  now: Date,
): Promise<{ bytes: number; files: Record<string, number> }> {
  const subject = { accountId: request.accountId, email: request.email };
  const counts: Record<string, number> = {};
  const m = messagesFor(request.language);

  async function* dataJson(): AsyncIterable<string> {
    yield `{"format":"omnapi-export/1","requestId":${JSON.stringify(request.requestId)},"generatedAt":"${now.toISOString()}",`;
    yield `"account":${JSON.stringify(subject)},"processing":${JSON.stringify(processingSection(m))},"categories":{`;
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
    for await (const item of data.items('ledger', subject))
      if (item.kind === 'entry') yield { ...item, amountCredits: inCredits(item.amountMicro) };
  }

  async function* usageLogs(): AsyncIterable<Record<string, unknown>> {
    for await (const item of data.items('usageLogs', subject)) yield { ...item, priceCredits: inCredits(item.priceMicroCredits) };
  }

  /** README.txt in the request's language (English, with a line saying so, for a language we do not write). */
  async function* readme(): AsyncIterable<string> {
    const processing = processingSection(m);
    const wrap = (text: string, indent = '') => wrapLines(text, 96, m.locale).map((line) => `${indent}${line}`);
    const heading = (text: string, rule: string) => [text, rule.repeat([...text].length)];
    yield [
      ...(processing.languageNote ? [...wrap(processing.languageNote), ''] : []),
      ...heading(m.t('readme.title'), '='),
      '',
      ...wrap(
        m.t('readme.request', {
          requestId: request.requestId,
          right: rightLabel(m, request.type),
          generated: now,
          accountId: subject.accountId,
          email: subject.email,
        }),
      ),
      '',
      ...wrap(m.t('readme.dataJson')),
      ...wrap(m.t('readme.usageLogs', { days: usageLogRetentionDays() })),
      ...wrap(m.t('readme.ledger')),
      '',
      ...heading(m.t('readme.processing'), '-'),
      '',
      ...Object.entries(processing.categories).flatMap(([category, entry]) => [
        m.t('readme.category', { label: entry.name, category }),
        `  ${m.t('readme.why')}`,
        ...entry.purposes.flatMap((p) =>
          wrap(
            m.t('readme.purpose', { purpose: processing.purposes[p]!.description, legalBasis: processing.purposes[p]!.legalBasis }),
            '    ',
          ),
        ),
        `  ${m.t('readme.who')}`,
        ...entry.recipients.flatMap((r) => wrap(m.t('readme.recipient', processing.recipients[r]!), '    ')),
        ...wrap(m.t('readme.source', { source: entry.source }), '  '),
        ...wrap(m.t('readme.retention', { retention: entry.retention }), '  '),
        '',
      ]),
      m.t('readme.transfers'),
      ...processing.transfers.flatMap((t) => wrap(m.t('readme.transfer', t), '  ')),
      '',
      m.t('readme.automated'),
      ...wrap(processing.automatedDecisions, '  '),
      '',
      m.t('readme.rights'),
      ...wrap(processing.rights, '  '),
      '',
      ...wrap(m.t('readme.controller', { controller: processing.controller })),
      ...wrap(m.t('readme.same')),
      '',
    ].join('\r\n');
  }

  sink.add('README.txt', readme());
  sink.add('data.json', dataJson());
  sink.add('usage-logs.csv', csv('usage-logs.csv', usageLogs()));
  sink.add('ledger.csv', csv('ledger.csv', ledgerEntries()));
  // The format README.txt points to travels with the data: a customer cannot reach the project's docs.
  sink.add(
    EXPORT_FORMAT_FILE,
    (async function* () {
      yield renderExportFormat();
    })(),
  );
  const { bytes } = await sink.finish();
  return { bytes, files: counts };
}

/** Scripts written without spaces between words: a line may break inside their runs, between the words ICU's dictionary finds. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** Where a text may break: after each space, and inside a run of an unspaced script (or one too long for a line) between its words, punctuation kept with its word. */
function breakUnits(text: string, locale: string, width: number): string[] {
  const units: string[] = [];
  for (const token of text.split(/(?<=\s)/)) {
    if (!UNSPACED.test(token) && [...token].length <= width) {
      units.push(token);
      continue;
    }
    let opening = '';
    for (const { segment } of new Intl.Segmenter(locale, { granularity: 'word' }).segment(token)) {
      const last = units.length - 1;
      if (/^[\s\p{Pe}\p{Pf}\p{Po}]+$/u.test(segment) && last >= 0 && !/\s$/.test(units[last]!)) units[last] += segment;
      else if (/^[\p{Ps}\p{Pi}]+$/u.test(segment)) opening += segment;
      else {
        units.push(opening + segment);
        opening = '';
      }
    }
    if (opening) units.push(opening);
  }
  return units;
}

/** Lines of at most `width` characters (a word longer than that alone on its line), nothing dropped, in any script. */
export function wrapLines(text: string, width: number, locale: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const unit of breakUnits(text, locale, width)) {
    if (line.trim() && [...`${line}${unit}`.trimEnd()].length > width) {
      lines.push(line.trim());
      line = unit.trimStart();
    } else line += unit;
  }
  if (line.trim() || !lines.length) lines.push(line.trim());
  return lines;
}
