import { DEFAULT_AUDIT_RETENTION_DAYS } from './audit';
import { DELIVERY_RECORD_DAYS, NOTICE_RETENTION_DAYS } from './notice-topics';
import { EMAIL_TOKEN_TTL_SECONDS } from './email-links';
import { DEFAULT_USAGE_LOG_RETENTION_DAYS } from './usage-logs';
import { COUNTERS, ITEMS, itemTypesOf } from './items';
import { PURPOSES, type PurposeId, RECIPIENTS, type RecipientId, SOURCES, type SourceId } from './processing';
import type { TableName } from './tables';

/** How a table's personal data leaves on an erasure request. */
export type Erasure = { kind: 'delete' } | { kind: 'pseudonymise'; reason: string; fields: string[] } | { kind: 'keep'; reason: string };

export interface DataMapEntry {
  /** What the table holds, in plain words. */
  purpose: string;
  /** Attributes that are personal data. */
  personalData: string[];
  /** How its items are found for one account. */
  subjectKey: string;
  /** Format of the access/portability export. */
  export: 'json' | 'json+csv' | 'none';
  erasure: Erasure;
  retention: string;
  /** Why it is processed (shared/processing.ts: the policy's purposes, each with its legal basis). */
  purposes: readonly PurposeId[];
  /** Who receives it besides us. */
  recipients: readonly RecipientId[];
  /** Where it comes from. */
  source: SourceId;
}

/** How long each bucket keeps an object (its lifecycle rule, set by the CDK app from here). */
export const BUCKET_LIFETIME_DAYS = { exports: 7, inboundMail: 90 } as const;

/**
 * The privacy data map: for every table, which personal data it holds and how it is exported,
 * erased and retained. Export, erasure and docs/data-map.md read it; a test fails when a table in the
 * CDK app has no entry here.
 */
export const DATA_MAP = {
  accounts: {
    purpose: 'Account profile and sign-in credentials',
    personalData: ['name', 'email', 'emailChangeTo', 'passwordHash', 'profile', 'preferences', 'stripeCustomerId', 'signInAddresses'],
    subjectKey: 'pk = ACCOUNT#<accountId>; email guard at pk = EMAIL#<email>',
    export: 'json',
    erasure: { kind: 'delete' },
    retention: 'Life of the account',
    purposes: ['service', 'billing', 'notices', 'legal'],
    recipients: ['aws', 'stripe'],
    source: 'you',
  },
  sessions: {
    purpose: 'Signed-in sessions (hash of the session token only)',
    personalData: ['ip', 'userAgent'],
    subjectKey:
      'pk = ACCOUNT#<accountId> (sk SESSION#<sessionId>); lookup copy at SESSION#<tokenHash> with accountId (sessions opened before the account-side copies: gsi1pk = ACCOUNT#<accountId>)',
    export: 'json',
    erasure: { kind: 'delete' },
    retention: 'Until logout or expiry (TTL, 7 days)',
    purposes: ['service', 'security'],
    recipients: ['aws', 'cloudflare'],
    source: 'use',
  },
  tokens: {
    purpose: 'Single-use links mailed for email verification and email changes',
    personalData: ['email'],
    subjectKey: 'accountId attribute (a scan: the table only ever holds a day of links)',
    export: 'none',
    erasure: { kind: 'delete' },
    retention: `Until used or expired (TTL, ${EMAIL_TOKEN_TTL_SECONDS / 3600} hours at most)`,
    purposes: ['service', 'security'],
    recipients: ['aws'],
    source: 'us',
  },
  apiKeys: {
    purpose: 'API keys (SHA-256 of the secret and a short visible prefix)',
    personalData: ['name'],
    subjectKey: 'pk = ACCOUNT#<accountId> (sk KEY#<keyId>); lookup copy at SECRET#<hash> with accountId',
    export: 'json',
    erasure: { kind: 'delete' },
    retention: 'Until revoked or the account is deleted',
    purposes: ['service', 'metering', 'security'],
    recipients: ['aws'],
    source: 'you',
  },
  ledger: {
    purpose:
      'Append-only credit ledger (grants, purchases, refunds, clawbacks, dispute holds and releases) with Stripe ids, amounts and currency — never card data; the balance, with the low-balance notice state on it; purchases and what was reversed of them',
    personalData: ['accountId', 'stripe.customerId', 'stripe.paymentIntentId', 'stripe.checkoutSessionId'],
    subjectKey:
      'pk = ACCOUNT#<accountId> (ENTRY#, REF#, BALANCE, PURCHASE#, and NOTICE# of earlier versions); on a sharded plan, balance shards at pk = SHARD#<accountId>#<n>; pk = PAYMENT#<paymentIntentId> names the account (accountId attribute); after erasure, entries at PSEUDONYM#<keyed pseudonym>',
    export: 'json+csv',
    erasure: {
      kind: 'pseudonymise',
      reason:
        'Tax and accounting law require payment records to be kept; entries move under a keyed pseudonym of the account id (HMAC, secret key), without the Stripe customer id; the balance, purchases and guards are deleted',
      fields: ['accountId', 'stripe.customerId'],
    },
    retention: 'At least 10 years (accounting records); no automatic expiry',
    purposes: ['billing', 'legal'],
    recipients: ['aws', 'stripe', 'authorities'],
    source: 'stripe',
  },
  usageLogs: {
    purpose:
      'Per-call log: method, path, status, latency, sizes, IP, user agent, request id — stored as compressed pages for busy accounts (one per account and minute a worker batch recorded), beside the seq blocks that guard them exactly once, and for the rest in slots: one item per run of 8 sequence numbers of an account in one hour (in one UTC day for calls made after ten minutes or more of silence), each of its keys held once in it and each user agent held in the slot or, once met again in the hour, once in an item of its own, each call a compact attribute of it (refused calls, and calls their slot had no room for, one compressed item each); point-in-time recovery on, as they are the only record of each call. Beside them, per day, the list of accounts that had single calls (account id only), which the usage sweep reads to finish their hourly counts: kept 3 days; for calls after a long silence, one list per seven-day period, kept 3 days past it',
    personalData: ['ip', 'userAgent', 'path'],
    subjectKey:
      'pk = ACCOUNT#<accountId> (pages L#<newest call>#…, slots M#<end of the hour>#Z<slot> (and the earlier per-client M#<end of the hour>#Z<slot>_<client>), their agents M#<end of the hour>#a<agent id>, day slots N#<end of the day>#Z<slot> and their agents N#<end of the day>#a<agent id>, single calls M#<at>#…, seq blocks SEQ#<block>, and items of the earlier one-call form); sweep lists pk = SWEEP#<day>#<shard>, sk = <accountId> (erased with the logs, else expire in 3 days), and for lone calls a list per seven-day period, pk = SWEEP#W#<last day of the period>#<shard>, sk = <accountId> (erased with the logs, else expire 3 days after the period)',
    export: 'json+csv',
    erasure: { kind: 'delete' },
    retention: `${DEFAULT_USAGE_LOG_RETENTION_DAYS} days (TTL)`,
    purposes: ['metering', 'billing', 'support', 'security', 'analytics'],
    recipients: ['aws', 'cloudflare'],
    source: 'use',
  },
  usageAggregates: {
    purpose:
      'Hourly call counts and credits per account and product, and per hour the single calls counted so far, in an item per day or, for calls after a long silence, per seven-day period (days are summed from hours when read; daily items written by earlier versions are erased alike; the export holds the hours per product as the usage API counts them)',
    personalData: ['accountId'],
    subjectKey: 'pk = ACCOUNT#<accountId>#…',
    export: 'json+csv',
    erasure: { kind: 'delete' },
    retention: 'Life of the account',
    purposes: ['metering', 'billing', 'analytics'],
    recipients: ['aws'],
    source: 'use',
  },
  privacyRequests: {
    purpose:
      'Privacy requests, their deadline, status history and what was done (an erasure keeps its counts); intake records of privacy mail (30 days); legal holds',
    personalData: ['accountId', 'email', 'details', 'verdicts'],
    subjectKey:
      'gsi1pk = ACCOUNT#<accountId>; legal hold at HOLD#<accountId>; request and erasure-password counters at THROTTLE#privacy-account#<accountId>, THROTTLE#privacy-password#<accountId>',
    export: 'json',
    erasure: {
      kind: 'pseudonymise',
      reason:
        "Proof that a rights request was answered (GDPR art. 5(2) accountability): kept under the account's keyed pseudonym and the address's, without details; an export archive's download token is removed",
      fields: ['accountId', 'email', 'details', 'verdicts'],
    },
    retention: '3 years after it is completed or rejected (TTL set then)',
    purposes: ['legal'],
    recipients: ['aws', 'authorities'],
    source: 'us',
  },
  webhookEvents: {
    purpose:
      'Stripe events handled (id, type, outcome), so a redelivery is acknowledged without being applied again; refunds and disputes that came before their payment (Stripe ids and amounts), until it lands',
    personalData: ['customerId', 'object.paymentIntentId'],
    subjectKey: 'customerId attribute (the Stripe customer the event named)',
    export: 'none',
    erasure: { kind: 'delete' },
    retention: '30 days (TTL)',
    purposes: ['billing'],
    recipients: ['aws', 'stripe'],
    source: 'stripe',
  },
  securityEvents: {
    purpose:
      'Sign-in successes and failures, password changes, key changes, with IP and user agent; login-failure counters; per key and hour, digests of the addresses it was used from (abuse signal; an IPv4 digest can be reversed by trying every address, so they count as the addresses themselves)',
    personalData: ['ip', 'userAgent', 'detail'],
    subjectKey:
      'pk = ACCOUNT#<accountId>; failures for unknown emails at ACCOUNT#anonymous#<sha256(email)>; counters at THROTTLE#…#<sha256(email)> (per-address sign-in counters expire in 15 minutes) and THROTTLE#checkout#<accountId>, THROTTLE#password-check#<accountId>; key address digests at ADDRESSES#<accountId> (2 days)',
    export: 'json',
    erasure: { kind: 'delete' },
    retention: '1 year (TTL)',
    purposes: ['security'],
    recipients: ['aws', 'cloudflare'],
    source: 'use',
  },
  tickets: {
    purpose: 'Mail received at privacy@, support@ and hello@',
    personalData: ['from', 'subject', 'text', 'verdicts'],
    subjectKey: `gsi1pk = SENDER#<address>, from when the account held the address (emailSince); the raw message is in the inbound mail bucket (inbound/<messageId>, ${BUCKET_LIFETIME_DAYS.inboundMail} days) and is erased with its ticket`,
    export: 'json',
    erasure: { kind: 'delete' },
    retention: '2 years after it was received (TTL)',
    purposes: ['support', 'legal'],
    recipients: ['aws'],
    source: 'you',
  },
  auditEvents: {
    purpose:
      'Audit trail of privileged and security-relevant actions (actor, action, targets, address, user agent, reason), hash-chained per stream so an altered or removed event shows',
    personalData: ['actor.id', 'targets', 'context.ip', 'context.userAgent', 'change'],
    subjectKey: "pk = STREAM#account#<accountId> (sk E#<seq>); operators' actions on no account at STREAM#ops",
    export: 'json',
    erasure: {
      kind: 'pseudonymise',
      reason:
        "Accountability for privileged actions (GDPR art. 5(2), 32): the account's stream moves under its keyed pseudonym without addresses and user agents, re-chained; an operator's identity stays",
      fields: ['actor.id', 'targets', 'context.ip', 'context.userAgent', 'change'],
    },
    retention: `${DEFAULT_AUDIT_RETENTION_DAYS} days (TTL; the stage's auditRetentionDays): a full yearly audit cycle and its follow-up`,
    purposes: ['security', 'legal'],
    recipients: ['aws', 'authorities'],
    source: 'us',
  },
  notices: {
    purpose:
      'Technical notices sent (topic, subject, text, segment, counts, the operator who sent them) and, per recipient, whether the notice went out — so a retried or resumed send mails no one twice',
    personalData: ['delivery records: SHA-256 of notice id and account id, with the outcome'],
    subjectKey:
      'none: a delivery record is NOTICE#<noticeId> / R#<sha256(noticeId:accountId)> and names no account; the notice itself names no recipient',
    export: 'none',
    erasure: {
      kind: 'keep',
      reason:
        'A delivery record holds only a hash of the notice and account ids and its outcome, so a retried send never mails the person twice; it expires on its own within 30 days of the send',
    },
    retention: `Notices ${NOTICE_RETENTION_DAYS} days (TTL, the audit event keeps their text for the audit retention); delivery records ${DELIVERY_RECORD_DAYS} days (TTL)`,
    purposes: ['notices'],
    recipients: ['aws'],
    source: 'us',
  },
  suppressions: {
    purpose: 'Addresses no mail goes to: SES reported a permanent bounce, or the owner marked our mail as spam (complaint)',
    personalData: ['SHA-256 of the address', 'reason', 'feedback detail'],
    subjectKey: 'pk = ADDRESS#<sha256(normalised address)>',
    export: 'none',
    erasure: {
      kind: 'keep',
      reason:
        'Not mailing someone who complained or whose mailbox does not exist is in their interest and SES requires it (legitimate interest, art. 6(1)(f)); only a hash of the address is kept, with no account',
    },
    retention: 'Until the address is removed by hand (runbook: a person asks to receive mail again)',
    purposes: ['notices', 'security'],
    recipients: ['aws'],
    source: 'us',
  },
} as const satisfies Record<TableName, DataMapEntry>;

/** The buckets that can hold a person's data: erasure and its proof look in each (see the privacy eraser). */
export const BUCKET_DATA_MAP = {
  exports: {
    purpose: 'ZIP archives of access and portability requests (data.json, CSVs, README)',
    personalData: ['everything the export covers'],
    subjectKey: 'exports/<requestId>/<random>.zip, named on the request (export.key)',
    export: 'none',
    erasure: { kind: 'delete' },
    retention: `${BUCKET_LIFETIME_DAYS.exports} days (lifecycle rule), or until the account is erased, whichever comes first; the download link works 24 hours`,
    purposes: ['legal'],
    recipients: ['aws'],
    source: 'us',
  },
  inboundMail: {
    purpose: 'Raw messages received at privacy@, support@ and hello@ (SES receipt rule)',
    personalData: ['from', 'headers', 'body', 'attachments'],
    subjectKey: 'inbound/<messageId>, named on the ticket (storageKey)',
    export: 'none',
    erasure: { kind: 'delete' },
    retention: `${BUCKET_LIFETIME_DAYS.inboundMail} days (lifecycle rule), or with its ticket when the account is erased`,
    purposes: ['support', 'legal'],
    recipients: ['aws'],
    source: 'you',
  },
} as const satisfies Record<string, DataMapEntry>;

/**
 * Pseudonyms: where erasure keeps a record the law requires (ledger entries, answered privacy requests),
 * the account id and the address are replaced by keyed pseudonyms (HMAC-SHA256 under a secret key in
 * Secrets Manager; `psn_<key version>_…`), never by a plain hash anyone with a list of addresses could
 * match. Old key versions stay in the key set only so records kept under them can still be found for a
 * legal hold (`npm run ops -- privacy pseudonyms`).
 */
export const PSEUDONYMS_NOTE =
  'Kept records name the person by keyed pseudonyms (HMAC-SHA256 under a secret key in Secrets Manager, `psn_<key version>_…`), never by a plain hash of the address; older key versions are kept only so records under them can be found for a legal hold (`npm run ops -- privacy pseudonyms`).';

/** Renders the data map as the Markdown table in docs/data-map.md. */
export function renderDataMap(): string {
  const rows = (
    [...Object.entries(DATA_MAP), ...Object.entries(BUCKET_DATA_MAP).map(([bucket, entry]) => [`${bucket} bucket`, entry])] as [
      string,
      DataMapEntry,
    ][]
  ).map(([table, entry]) => {
    const erasure =
      entry.erasure.kind === 'delete'
        ? 'delete'
        : entry.erasure.kind === 'pseudonymise'
          ? `pseudonymise ${entry.erasure.fields.join(', ')} — ${entry.erasure.reason}`
          : `keep — ${entry.erasure.reason}`;
    const personal = entry.personalData.length ? entry.personalData.join(', ') : '—';
    const why = entry.purposes.map((p) => `${PURPOSES[p].description} — ${PURPOSES[p].legalBasis}`).join('; ');
    const to = entry.recipients.map((r) => RECIPIENTS[r].name.replace(/ \(.*$/, '')).join(', ');
    return `| \`${table}\` | ${entry.purpose} | ${personal} | ${why} | ${to} | ${SOURCES[entry.source]} | ${entry.subjectKey} | ${entry.export} | ${erasure} | ${entry.retention} |`;
  });
  return [
    '# Privacy data map',
    '',
    'Generated from `lambdas/shared/data-map.ts` by `npm run docs:data-map`; a test fails when it is stale',
    'or when a table in the CDK app has no entry.',
    '',
    PSEUDONYMS_NOTE,
    '',
    '| Table or bucket | What it holds | Personal data | Purposes and legal basis | Recipients | Source | Found by | Export | Erasure | Retention |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Item types',
    '',
    'Every item a table holds is of one type declared in `lambdas/shared/items.ts`, with one owning context',
    'that writes it; every other context (the exporter, the eraser…) builds its key through the same',
    'declaration. A test scans every table after a local run and fails on an item no type recognises.',
    '',
    '| Table | Item type | Owner | Key (pk / sk) | What one item is | Erasure finds it by |',
    '| --- | --- | --- | --- | --- | --- |',
    ...(Object.keys(DATA_MAP) as TableName[]).flatMap((table) =>
      itemTypesOf(table).map((type) => {
        const name = Object.entries(ITEMS).find(([, t]) => t === type)?.[0];
        const builder = name ? `ITEMS.${name}` : `COUNTERS.${Object.entries(COUNTERS).find(([, c]) => c.item === type)?.[0]}`;
        const { foundBy } = type.spec;
        const found =
          typeof foundBy === 'string'
            ? { account: 'the account id', emailHash: "the address's SHA-256", email: 'the address', nobody: 'names nobody' }[foundBy]
            : foundBy.via;
        return `| \`${table}\` | \`${builder}\` | ${type.spec.owner} | \`${type.spec.pk}\` / \`${type.spec.sk}\` | ${type.spec.holds} | ${found} |`;
      }),
    ),
    '',
  ].join('\n');
}
