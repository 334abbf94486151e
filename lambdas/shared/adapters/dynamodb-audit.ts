import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AuditEvent,
  type AuditEventInput,
  type AuditFilter,
  type AuditTrail,
  auditExpiresAt,
  auditRetentionDaysOf,
  DEFAULT_AUDIT_RETENTION_DAYS,
  GENESIS,
  hashOf,
  matchesAuditFilter,
  streamOf,
} from '../audit';
import { newId } from '../crypto';
import { ValidationError } from '../errors';
import { auditEventKey, ITEMS } from '../items';

/** Events read per query when a filter picks among them. */
const FILTER_BATCH = 100;
/** Events a filtered page reads at most before answering what it found, with a cursor to go on. */
export const FILTER_READ_BUDGET = 1000;

/** What a filtered page gathers at most: what one DynamoDB query returns unfiltered, far below Lambda's 6 MB answer. */
const PAGE_BYTES = 1_000_000;

/** Enough for dozens of writers on one stream at once (an account's stream rarely has two). */
const MAX_APPEND_ATTEMPTS = 60;

/**
 * The audit trail in its own table: `STREAM#<stream>` / `E#<seq>`, each event chained to the one
 * before it by hash. An event is appended with a condition that its sequence number is free, so two
 * writers racing for the same place never both win (the loser reads the new head and tries again);
 * nothing updates or deletes an event (the writers' role holds PutItem and Query only) but the TTL.
 */
export class DynamoDbAuditTrail implements AuditTrail {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {}

  async record(input: AuditEventInput, options: { signal?: AbortSignal } = {}): Promise<AuditEvent> {
    const { signal } = options;
    const stream = streamOf(input.targets);
    // Writers racing for one stream take turns: each round one wins, so the loser tries again after a jittered pause.
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      signal?.throwIfAborted();
      const head = await this.head(stream, signal);
      const unsealed = {
        ...input,
        eventId: newId('aud'),
        stream,
        seq: (head?.event.seq ?? 0) + 1,
        prevHash: head?.event.hash ?? GENESIS,
        ...(head?.expiresAt ? { prevKeptUntil: new Date(head.expiresAt * 1000).toISOString() } : {}),
      };
      const event: AuditEvent = { ...unsealed, hash: hashOf(unsealed) };
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...auditEventKey(stream, event.seq), ...event, expiresAt: auditExpiresAt(input.at, this.retentionDays) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
          { abortSignal: signal },
        );
        return event;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await pause(Math.random() * Math.min(200, 5 * 2 ** attempt), signal);
      }
    }
    throw new Error(`The audit stream ${stream} kept moving; the event was not written`);
  }

  /** A stream's newest event, and when its TTL lets it expire (epoch seconds). */
  private async head(stream: string, signal?: AbortSignal): Promise<{ event: AuditEvent; expiresAt?: number } | undefined> {
    const [item] = (await this.items(stream, { newestFirst: true, limit: 1 }, signal)).Items ?? [];
    if (!item) return undefined;
    const { expiresAt } = item;
    return { event: eventOf(item), expiresAt: typeof expiresAt === 'number' ? expiresAt : undefined };
  }

  async page(
    stream: string,
    options: { newestFirst: boolean; limit: number; cursor?: string; filter?: AuditFilter },
  ): Promise<{ events: AuditEvent[]; nextCursor?: string }> {
    const { filter } = options;
    if (!filter) {
      const { Items, LastEvaluatedKey } = await this.items(stream, options);
      return { events: (Items ?? []).map(eventOf), nextCursor: LastEvaluatedKey ? String(LastEvaluatedKey.sk) : undefined };
    }
    // DynamoDB filters after reading anyway: read in batches, keep what matches, and stop at a page's
    // worth or at the read budget — then the cursor is where reading stopped, so nothing is skipped.
    const events: AuditEvent[] = [];
    let cursor = options.cursor;
    let read = 0;
    let bytes = 0;
    for (;;) {
      const { Items = [], LastEvaluatedKey } = await this.items(stream, { ...options, cursor, limit: FILTER_BATCH });
      for (const [index, item] of Items.entries()) {
        read++;
        const event = eventOf(item);
        if (!matchesAuditFilter(event, filter)) continue;
        events.push(event);
        bytes += JSON.stringify(event).length;
        // A page's worth, or as much as one unfiltered query returns (1 MB): large events never add up to an answer Lambda cannot send.
        if (events.length === options.limit || bytes >= PAGE_BYTES) {
          const more = index < Items.length - 1 || LastEvaluatedKey !== undefined;
          return { events, nextCursor: more ? String(item.sk) : undefined };
        }
      }
      if (!LastEvaluatedKey) return { events };
      cursor = String(LastEvaluatedKey.sk);
      if (read >= FILTER_READ_BUDGET) return { events, nextCursor: cursor };
    }
  }

  private items(stream: string, options: { newestFirst: boolean; limit: number; cursor?: string }, signal?: AbortSignal) {
    const pk = ITEMS.auditEvent.pk({ stream });
    // The cursor is a sequence key of this stream only: another stream cannot be reached through it,
    // and anything else is no cursor of a previous page (not quietly the first page again).
    if (options.cursor !== undefined && !ITEMS.auditEvent.matches({ pk, sk: options.cursor }))
      return Promise.reject(
        new ValidationError('query.cursor: not a cursor from a previous page', [
          { path: 'query.cursor', message: 'not a cursor from a previous page' },
        ]),
      );
    return this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: !options.newestFirst,
        Limit: options.limit,
        ConsistentRead: true,
        ExclusiveStartKey: options.cursor === undefined ? undefined : { pk, sk: options.cursor },
      }),
      { abortSignal: signal },
    );
  }
}

/** Waits `ms`, or less when `signal` aborts first (the caller's next step then throws). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** The event an item holds: the item without its keys and TTL. */
const eventOf = ({ pk: _pk, sk: _sk, expiresAt: _ttl, ...event }: Record<string, unknown>) => event as unknown as AuditEvent;

/** The trail a function is bound to (TABLE_AUDIT_EVENTS), or undefined when it writes none. */
export function auditTrailFromEnv(client: DynamoDBDocumentClient, env: NodeJS.ProcessEnv = process.env): AuditTrail | undefined {
  const table = env.TABLE_AUDIT_EVENTS;
  if (!table) return undefined;
  return new DynamoDbAuditTrail(client, table, auditRetentionDaysOf(env));
}
