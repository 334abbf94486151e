import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { totalBalance } from '../../shared/adapters/dynamodb-balance';
import { DynamoDbUsageReader } from '../../shared/adapters/dynamodb-usage-reader';
import { accountSessionItems } from '../../shared/adapters/dynamodb-sessions';
import { microToCredits } from '../../shared/credits';
import { type AuditEvent, customerAuditView, streamOf } from '../../shared/audit';
import { ITEMS, type ItemType } from '../../shared/items';
import type { UsageLogStore } from '../../shared/usage-logs';
import type { SubjectData } from '../domain/export';
import type { ExportedTable } from '../export-schema';

type Item = Record<string, unknown>;
type Subject = { accountId: string; email: string };

/** Attributes that are keys, indexes or secrets: never part of an export. */
const NEVER_EXPORTED = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'passwordHash',
  'tokenHash',
  'secretHash',
  'taskToken',
  'confirmation',
  'downloadTokenHash',
  'cancelTokenHash',
  'key',
  'failure',
];
/** Removes keys, indexes and secrets at any depth (a request's export record nests its link's hash). */
const clean = (item: Item): Item =>
  Object.fromEntries(
    Object.entries(item)
      .filter(([key]) => !NEVER_EXPORTED.includes(key))
      .map(([key, value]) => [key, value && typeof value === 'object' && !Array.isArray(value) ? clean(value as Item) : value]),
  );
const PAGE = 500;
/** The start of every account's usage. */
const EPOCH = '1970-01-01T00:00:00Z';

/**
 * Reads each exported category by the access path the data map declares for it (docs/data-map.md,
 * "Found by"), a page at a time. Usage logs are read through the shared UsageLogStore port, so how
 * logs are stored can change without touching this code. The `readers` record is typed by the
 * exported tables: a table added to the export without a reader does not compile.
 */
export class DynamoDbSubjectData implements SubjectData {
  private readonly readers: Record<ExportedTable, (subject: Subject) => AsyncIterable<Item>>;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    tables: Record<ExportedTable, string>,
    usageLogs: UsageLogStore,
    now: () => Date = () => new Date(),
  ) {
    /** The account's partition of an item type, or only that type's items in it when the partition holds others. */
    const byAccount =
      (type: ItemType, { onlyThisType = false } = {}) =>
      (subject: Subject) =>
        this.query({
          TableName: tables[type.table as ExportedTable],
          KeyConditionExpression: onlyThisType ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': type.pk({ accountId: subject.accountId }),
            ...(onlyThisType ? { ':prefix': type.skPrefix } : {}),
          },
        });
    const byIndex = (type: ItemType) => (subject: Subject) =>
      this.query({
        TableName: tables[type.table as ExportedTable],
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': type.gsi1pk({ accountId: subject.accountId }) },
      });
    const db = this.client;
    const self = this;
    const usage = new DynamoDbUsageReader(db, { usageLogs: tables.usageLogs, usageAggregates: tables.usageAggregates });
    /** When the account took its current address: mail and failed sign-ins under it before then were someone else's. */
    const addressSince = async (subject: Subject) => {
      const { Item } = await db.send(
        new GetCommand({
          TableName: tables.accounts,
          Key: ITEMS.account.key({ accountId: subject.accountId }),
          ProjectionExpression: 'emailSince, createdAt',
          ConsistentRead: true,
        }),
      );
      return String(Item?.emailSince ?? Item?.createdAt ?? '9999');
    };
    this.readers = {
      async *accounts(subject) {
        const { Item } = await db.send(
          new GetCommand({ TableName: tables.accounts, Key: ITEMS.account.key({ accountId: subject.accountId }), ConsistentRead: true }),
        );
        if (Item) yield clean(Item);
      },
      // The account's copy of each session (older sessions: their lookup copy), as the account's sessions list reads them.
      async *sessions(subject) {
        yield* (await accountSessionItems(db, tables.sessions, subject.accountId)).map(clean);
      },
      apiKeys: byAccount(ITEMS.apiKey, { onlyThisType: true }),
      async *ledger(subject) {
        for await (const item of byAccount(ITEMS.ledgerEntry)(subject)) {
          const kind = ITEMS.ledgerEntry.matches(item)
            ? 'entry'
            : ITEMS.balance.matches(item)
              ? 'balance'
              : ITEMS.purchase.matches(item)
                ? 'purchase'
                : undefined;
          // Idempotency guards and notice state say nothing about the person.
          if (!kind) continue;
          const rest = clean(item);
          // On a sharded plan the balance item holds a part of it: the export says the whole.
          yield kind === 'balance'
            ? { kind, balanceMicro: await totalBalance(db, tables.ledger, subject.accountId), updatedAt: rest.updatedAt }
            : { kind, ...rest };
        }
      },
      async *usageLogs(subject) {
        let cursor: string | undefined;
        do {
          const page = await usageLogs.page(subject.accountId, { limit: PAGE, cursor, now: now() });
          for (const log of page.logs) yield log as unknown as Item;
          cursor = page.nextCursor;
        } while (cursor);
      },
      // Every hour of the account's usage per product, counted as `GET /v1/usage` counts it (the
      // rollups, and the calls not yet counted into them read from the logs), so charged usage and the
      // ledger reconcile from the export alone.
      async *usageAggregates(subject) {
        const buckets = await usage.aggregates(subject.accountId, 'hour', EPOCH, now().toISOString());
        for (const bucket of buckets)
          yield {
            granularity: 'hour',
            ...bucket,
            charged: microToCredits(bucket.chargedMicro),
            refunded: microToCredits(bucket.refundedMicro),
          };
      },
      async *privacyRequests(subject) {
        yield* byIndex(ITEMS.privacyRequest)(subject);
        // Privacy mail nobody could classify, from the address since the account held it.
        const since = await addressSince(subject);
        yield* self.query({
          TableName: tables.privacyRequests,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
          ExpressionAttributeValues: { ':pk': ITEMS.unclearMail.gsi1pk({ email: subject.email }), ':since': since },
        });
      },
      async *securityEvents(subject) {
        yield* byAccount(ITEMS.securityEvent)(subject);
        // Failed sign-ins naming the address are kept under its hash: only those since the account held it.
        const since = await addressSince(subject);
        const anonymous = ITEMS.anonymousSignInFailure.pk({ emailHash: createHash('sha256').update(subject.email).digest('hex') });
        yield* self.query({
          TableName: tables.securityEvents,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': anonymous, ':since': since },
        });
      },
      async *auditEvents(subject) {
        const events = self.query({
          TableName: tables.auditEvents,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': ITEMS.auditEvent.pk({ stream: streamOf([{ type: 'account', id: subject.accountId }]) }) },
        });
        // As the audit API shows them: staff as staff, never by our internal identities.
        for await (const event of events) yield customerAuditView(event as Item & Pick<AuditEvent, 'actor'>);
      },
      async *tickets(subject) {
        // Tickets are found by sender address; an address can change hands, so only mail since the account held it counts.
        const since = await addressSince(subject);
        yield* self.query({
          TableName: tables.tickets,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
          ExpressionAttributeValues: { ':pk': ITEMS.ticket.gsi1pk({ email: subject.email }), ':since': since },
        });
      },
    };
  }

  async *items(table: ExportedTable, subject: Subject): AsyncIterable<Item> {
    for await (const item of this.readers[table](subject)) yield clean(item);
  }

  /** Every item a query matches, a page at a time. */
  async *query(input: QueryCommandInput): AsyncIterable<Item> {
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start, Limit: PAGE }));
      yield* (page.Items ?? []) as Item[];
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
