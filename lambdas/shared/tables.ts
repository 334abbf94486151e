/** Every table has `pk`/`sk` strings; tables that list by account add the `gsi1` index. */
export interface TableSpec {
  /** TTL attribute (epoch seconds) when items expire by themselves. */
  readonly ttl?: boolean;
  /** Adds `gsi1` (`gsi1pk`, `gsi1sk`), projected ALL. */
  readonly gsi1?: boolean;
}

/**
 * The platform's tables, by the name the data map, the functions' `TABLE_<NAME>` variables and the
 * local runtime use. The CDK app creates one DynamoDB table per entry (`lib/constructs/data.ts`).
 */
export const TABLE_SPECS = {
  accounts: {},
  sessions: { ttl: true, gsi1: true },
  tokens: { ttl: true },
  apiKeys: {},
  ledger: {},
  usageLogs: { ttl: true },
  usageAggregates: {},
  privacyRequests: { ttl: true, gsi1: true },
  webhookEvents: { ttl: true },
  securityEvents: { ttl: true },
  tickets: { ttl: true, gsi1: true },
  auditEvents: { ttl: true },
  notices: { ttl: true },
  suppressions: {},
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLE_SPECS;

/** The TTL attribute on every table that has one: epoch seconds, as DynamoDB TTL requires. */
export const TTL_ATTRIBUTE = 'expiresAt';
