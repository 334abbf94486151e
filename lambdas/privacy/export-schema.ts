import { usageLogRetentionDays } from '../shared/usage-logs';
import { z } from 'zod';

/**
 * The export's data.json, as zod types: the export checks every item against them (extra fields pass
 * through, so nothing the store holds is dropped), and docs/export-format.md is generated from them.
 */
const iso = z.string().meta({ format: 'date-time' });
const loose = <T extends z.ZodRawShape>(shape: T, description: string) => z.looseObject(shape).meta({ description });

export const EXPORT_ITEM_SCHEMAS = {
  accounts: loose(
    {
      accountId: z.string(),
      email: z.string(),
      name: z.string(),
      profile: z.record(z.string(), z.unknown()),
      preferences: z.record(z.string(), z.unknown()),
      createdAt: iso,
    },
    'The account: name, email, profile, preferences, plan, Stripe customer id (the password hash is never exported)',
  ),
  sessions: loose(
    { sessionId: z.string(), ip: z.string(), userAgent: z.string(), createdAt: iso, expiresAt: z.number() },
    'Signed-in sessions (never the token or its hash)',
  ),
  apiKeys: loose(
    { keyId: z.string(), name: z.string(), prefix: z.string(), status: z.string(), createdAt: iso },
    'API keys: names and visible prefixes (never secrets or hashes)',
  ),
  ledger: loose(
    { kind: z.enum(['entry', 'balance', 'purchase']) },
    'Credit ledger entries, the balance and purchases (Stripe ids, amounts, currency; no card data)',
  ),
  usageLogs: loose(
    {
      requestId: z.string(),
      product: z.string(),
      method: z.string(),
      path: z.string(),
      status: z.number(),
      at: iso,
      ip: z.string(),
      userAgent: z.string(),
    },
    `Every metered call of the last ${usageLogRetentionDays()} days`,
  ),
  usageAggregates: loose(
    { granularity: z.literal('hour'), bucket: z.string(), product: z.string(), calls: z.number(), charged: z.string() },
    'Your usage per hour and product, as GET /v1/usage counts it: calls, refusals (402, 429), errors, credits charged and refunded, latency, bytes',
  ),
  privacyRequests: loose(
    { requestId: z.string(), type: z.string(), status: z.string(), receivedAt: iso },
    'Privacy requests and what was done',
  ),
  securityEvents: loose({ eventId: z.string(), type: z.string(), at: iso }, 'Sign-ins, password and key changes, with address and browser'),
  tickets: loose(
    { ticketId: z.string(), mailbox: z.string(), subject: z.string(), text: z.string(), receivedAt: iso },
    'Mail you sent to privacy@, support@ or hello@',
  ),
  auditEvents: loose(
    { eventId: z.string(), action: z.string(), at: iso, seq: z.number(), hash: z.string() },
    'The audit trail of your account: who did what (you, or an operator), when, from where, hash-chained',
  ),
};

export type ExportedTable = keyof typeof EXPORT_ITEM_SCHEMAS;

export const ExportDocumentSchema = z
  .object({
    format: z.literal('omnapi-export/1'),
    requestId: z.string(),
    generatedAt: iso,
    account: z.object({ accountId: z.string(), email: z.string() }),
    processing: z
      .object({
        language: z.string().meta({
          description:
            "The language of the texts below (BCP 47): the request letter's, else the account's locale, when we write it; English otherwise",
        }),
        languageNote: z
          .string()
          .optional()
          .meta({ description: 'When the request was in a language we do not write yet: says so, in English' }),
        controller: z.string(),
        purposes: z.record(z.string(), z.object({ description: z.string(), legalBasis: z.string() })),
        recipients: z.record(z.string(), z.object({ name: z.string(), role: z.string(), location: z.string() })),
        categories: z.record(
          z.string(),
          z.object({
            name: z.string(),
            purposes: z.array(z.string()),
            recipients: z.array(z.string()),
            source: z.string(),
            retention: z.string(),
          }),
        ),
        transfers: z.array(z.object({ to: z.string(), safeguard: z.string() })),
        automatedDecisions: z.string(),
        rights: z.string(),
      })
      .meta({
        description:
          'GDPR art. 15(1): purposes and legal basis, recipients, retention, source, transfers and their safeguards, automated decisions, per category of data; generated from the data map, in the language of the request (the 12 languages of the replies; English otherwise)',
      }),
    categories: z.object(
      Object.fromEntries(
        Object.entries(EXPORT_ITEM_SCHEMAS).map(([name, item]) => [
          name,
          z.object({ description: z.string(), retention: z.string(), count: z.number().int(), items: z.array(item) }),
        ]),
      ) as {
        [K in ExportedTable]: z.ZodObject<{
          description: z.ZodString;
          retention: z.ZodString;
          count: z.ZodNumber;
          items: z.ZodArray<(typeof EXPORT_ITEM_SCHEMAS)[K]>;
        }>;
      },
    ),
  })
  .meta({ title: 'OmnAPI data export (data.json)' });

/** Columns of the CSV files, in order. */
export const CSV_COLUMNS = {
  'usage-logs.csv': [
    'at',
    'requestId',
    'keyId',
    'product',
    'method',
    'path',
    'status',
    'outcome',
    'priceCredits',
    'priceMicroCredits',
    'latencyMs',
    'upstreamLatencyMs',
    'requestBytes',
    'responseBytes',
    'ip',
    'userAgent',
  ],
  'ledger.csv': [
    'at',
    'entryId',
    'type',
    'amountCredits',
    'amountMicro',
    'reason',
    'ref',
    'pack',
    'stripe.paymentIntentId',
    'stripe.amountMinor',
    'stripe.currency',
  ],
} as const;

/** Where the archive carries this description (the same path as in the project's docs, which README.txt names). */
export const EXPORT_FORMAT_FILE = 'docs/export-format.md';

/** docs/export-format.md, generated from the schemas above (`npm run docs:export-format`), and the archive's copy. */
export function renderExportFormat(): string {
  const schema = z.toJSONSchema(ExportDocumentSchema, { io: 'input', unrepresentable: 'any' });
  return [
    '# Data export format',
    '',
    'Generated from `lambdas/privacy/export-schema.ts` by `npm run docs:export-format`; a test fails when it is stale.',
    '',
    'An access or portability request is answered with one ZIP archive:',
    '',
    '| File | What it holds |',
    '| --- | --- |',
    '| `README.txt` | What each file is, in plain words |',
    '| `data.json` | Every category of personal data we hold about the account (schema below) |',
    `| \`usage-logs.csv\` | The call logs of the last ${usageLogRetentionDays()} days, one row per call: ${CSV_COLUMNS['usage-logs.csv'].join(', ')} |`,
    `| \`ledger.csv\` | Every credit movement: ${CSV_COLUMNS['ledger.csv'].join(', ')} |`,
    `| \`${EXPORT_FORMAT_FILE}\` | This description of the archive's format |`,
    '',
    'Categories of `data.json`:',
    '',
    '| Category | What it holds |',
    '| --- | --- |',
    ...Object.entries(EXPORT_ITEM_SCHEMAS).map(([name, item]) => `| \`${name}\` | ${item.description} |`),
    '',
    'Items carry every field the store holds for them beyond the ones listed as required (the schemas',
    'allow additional properties), except secrets: password hashes, session token hashes, key secret',
    'hashes and confirmation tokens are never exported.',
    '',
    '## JSON Schema of data.json',
    '',
    '```json',
    JSON.stringify(schema, null, 2),
    '```',
    '',
  ].join('\n');
}
