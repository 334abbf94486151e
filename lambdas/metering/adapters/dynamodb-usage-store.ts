import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { balanceKey, creditsToMicro, microToCredits } from '../../shared/credits';
import { usageLogItem } from '../../shared/adapters/dynamodb-usage-logs';
import type { Mailer } from '../../shared/mailer';
import type { UsageLog } from '../../shared/usage-logs';
import { type AccountSettings, type AccountSettingsReader, bucketsOf, type LowBalanceNotices, type UsageEntry, type UsageStore } from '../domain/usage';

export interface UsageTables {
  usageLogs: string;
  usageAggregates: string;
  ledger: string;
}

/** The call's log, without the event's envelope (version, account, the balance it left). */
const logOf = ({ v: _v, accountId: _account, balanceMicro: _balance, ...log }: UsageEntry['event']): UsageLog => log;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** DynamoDB's ceiling on items per transaction. */
const MAX_TRANSACTION_ITEMS = 100;
const COUNTERS = ['calls', 'admitted', 'rejected', 'errors', 'chargedMicro', 'refundedMicro', 'latencyMsSum', 'bytesIn', 'bytesOut'] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;

function countersOf({ event }: UsageEntry): Counters {
  const rejected = event.outcome === 'rejected';
  return {
    calls: 1,
    admitted: rejected ? 0 : 1,
    rejected: rejected ? 1 : 0,
    errors: event.status >= 400 ? 1 : 0,
    chargedMicro: rejected ? 0 : event.priceMicroCredits,
    refundedMicro: event.outcome === 'refunded' ? event.priceMicroCredits : 0,
    latencyMsSum: Math.round(event.latencyMs),
    bytesIn: event.requestBytes,
    bytesOut: event.responseBytes,
  };
}

/** The items an entry shares with others in a transaction: its rollups and its account's balance. */
function sharedItemsOf({ event, analytics }: UsageEntry): string[] {
  const { hour } = bucketsOf(event.at);
  return [
    `ACCOUNT#${event.accountId}#H|${hour}#${event.product}`,
    ...(analytics ? [`ANALYTICS#${event.product}#H|${hour}#${event.product}`] : []),
    ...(event.outcome === 'refunded' ? [`BALANCE|${event.accountId}`] : []),
  ];
}

/**
 * Writes a batch of usage events in as few transactions as DynamoDB allows. Each transaction puts
 * every event's log item only if absent, and adds the events' counters to each aggregate once —
 * summed per bucket — so a batch of 25 calls by one account costs 25 log writes and 2 rollup writes
 * (its hour, and the product's analytics hour), not 50. A redelivered event makes its log put fail: the transaction is cancelled, writes nothing,
 * and is retried without that event, so nothing is ever counted twice or lost half-way.
 */
export class DynamoDbUsageStore implements UsageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: UsageTables,
  ) {}

  async recordBatch(entries: UsageEntry[]): Promise<Set<string>> {
    const duplicates = new Set<string>();
    const unique = new Map<string, UsageEntry>();
    for (const entry of entries) {
      if (unique.has(entry.event.requestId)) duplicates.add(entry.event.requestId);
      else unique.set(entry.event.requestId, entry);
    }
    // One account's events side by side: its rollups then land in one transaction, not in each one its events would straddle.
    const byAccount = [...unique.values()].sort((a, b) => (a.event.accountId < b.event.accountId ? -1 : a.event.accountId > b.event.accountId ? 1 : 0));
    for (const chunk of this.chunks(byAccount)) {
      let pending = chunk;
      while (pending.length) {
        const { items, logIndex } = this.transaction(pending);
        try {
          await this.client.send(new TransactWriteCommand({ TransactItems: items }));
          pending = [];
        } catch (error) {
          const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
          const recordedBefore = pending.filter((entry) => reasons[logIndex.get(entry.event.requestId)!]?.Code === 'ConditionalCheckFailed');
          const otherCauses = reasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed');
          if (recordedBefore.length === 0 || otherCauses) throw error;
          for (const entry of recordedBefore) duplicates.add(entry.event.requestId);
          pending = pending.filter((entry) => !recordedBefore.includes(entry));
        }
      }
    }
    return duplicates;
  }

  /** Splits the batch so that no transaction exceeds DynamoDB's item limit. */
  private *chunks(entries: UsageEntry[]): Generator<UsageEntry[]> {
    let chunk: UsageEntry[] = [];
    let shared = new Set<string>();
    let count = 0;
    for (const entry of entries) {
      // Its log item and refund entry, plus whichever rollups and balance updates the chunk lacks.
      const own = entry.event.outcome === 'refunded' ? 2 : 1;
      const added = (within: Set<string>) => own + sharedItemsOf(entry).filter((key) => !within.has(key)).length;
      if (chunk.length && count + added(shared) > MAX_TRANSACTION_ITEMS) {
        yield chunk;
        [chunk, shared, count] = [[], new Set(), 0];
      }
      chunk.push(entry);
      count += added(shared);
      for (const key of sharedItemsOf(entry)) shared.add(key);
    }
    if (chunk.length) yield chunk;
  }

  private transaction(entries: UsageEntry[]): { items: TransactItem[]; logIndex: Map<string, number> } {
    const items: TransactItem[] = [];
    const logIndex = new Map<string, number>();
    const rollups = new Map<string, { pk: string; sk: string; product: string; bucket: string; counters: Counters }>();
    const refunds = new Map<string, number>();

    const addRollup = (pk: string, bucket: string, product: string, counters: Counters) => {
      const sk = `${bucket}#${product}`;
      const existing = rollups.get(`${pk}|${sk}`);
      if (!existing) rollups.set(`${pk}|${sk}`, { pk, sk, product, bucket, counters: { ...counters } });
      else for (const name of COUNTERS) existing.counters[name] += counters[name];
    };

    for (const entry of entries) {
      const { event } = entry;
      logIndex.set(event.requestId, items.length);
      items.push({
        Put: {
          TableName: this.tables.usageLogs,
          Item: usageLogItem(event.accountId, logOf(event), entry.logExpiresAt),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
      const counters = countersOf(entry);
      const { hour } = bucketsOf(event.at);
      // Hourly only: a day is summed from its hours when read (DynamoDbUsageReader), not written twice.
      addRollup(`ACCOUNT#${event.accountId}#H`, hour, event.product, counters);
      if (entry.analytics) addRollup(`ANALYTICS#${event.product}#H`, hour, event.product, counters);
      if (counters.refundedMicro) {
        items.push({
          Put: {
            TableName: this.tables.ledger,
            Item: {
              pk: `ACCOUNT#${event.accountId}`,
              sk: `ENTRY#${event.at}#${event.requestId}`,
              entryId: event.requestId,
              type: 'refund',
              amountMicro: counters.refundedMicro,
              reason: `Upstream of ${event.product} failed (HTTP ${event.status})`,
              ref: event.requestId,
              at: event.at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        refunds.set(event.accountId, (refunds.get(event.accountId) ?? 0) + counters.refundedMicro);
      }
    }

    for (const rollup of rollups.values()) {
      // Every attribute goes through a placeholder: several (bucket, errors) are reserved words.
      items.push({
        Update: {
          TableName: this.tables.usageAggregates,
          Key: { pk: rollup.pk, sk: rollup.sk },
          UpdateExpression: `SET #product = :product, #bucket = :bucket ADD ${COUNTERS.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
          ExpressionAttributeNames: { '#product': 'product', '#bucket': 'bucket', ...Object.fromEntries(COUNTERS.map((n, i) => [`#c${i}`, n])) },
          ExpressionAttributeValues: {
            ':product': rollup.product,
            ':bucket': rollup.bucket,
            ...Object.fromEntries(COUNTERS.map((n, i) => [`:c${i}`, rollup.counters[n]])),
          },
        },
      });
    }
    for (const [accountId, amount] of refunds) {
      items.push({
        Update: { TableName: this.tables.ledger, Key: balanceKey(accountId), UpdateExpression: 'ADD balance :refund', ExpressionAttributeValues: { ':refund': amount } },
      });
    }
    return { items, logIndex };
  }
}

/** Reads an account's settings; an account that cannot be read counts as objecting and wanting no mail. */
export class DynamoDbAccountSettings implements AccountSettingsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly accountsTable: string,
  ) {}

  async of(accountId: string): Promise<AccountSettings> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.accountsTable, Key: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' }, ProjectionExpression: 'preferences, email' }),
    );
    const threshold = Item?.preferences?.lowBalanceCredits;
    return {
      analytics: Item?.preferences?.analytics === true,
      lowBalanceMicro: typeof threshold === 'string' ? creditsToMicro(threshold) : undefined,
      email: Item?.email,
    };
  }
}

/** The notice's state at `ACCOUNT#<id>/NOTICE#low-balance` in the ledger table, beside the balance it watches. */
export class DynamoDbLowBalanceNotices implements LowBalanceNotices {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
    private readonly mailer: Mailer,
  ) {}

  private key = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'NOTICE#low-balance' });

  async claim(accountId: string, at: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.ledgerTable,
          Key: this.key(accountId),
          UpdateExpression: 'SET armed = :false, notifiedAt = :at',
          ConditionExpression: 'attribute_not_exists(armed) OR armed = :true',
          ExpressionAttributeValues: { ':false': false, ':true': true, ':at': at.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async rearm(accountId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.ledgerTable,
          Key: this.key(accountId),
          UpdateExpression: 'SET armed = :true',
          ConditionExpression: 'armed = :false',
          ExpressionAttributeValues: { ':false': false, ':true': true },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async send(to: string, balanceMicro: number, thresholdMicro: number): Promise<void> {
    await this.mailer.send({
      to,
      subject: 'Your OmnAPI balance is low',
      text: [
        `Your balance is ${microToCredits(balanceMicro)} credits, below the ${microToCredits(thresholdMicro)} you asked us to watch for.`,
        'Calls are refused (402) once it cannot cover their price. Buy credits: GET /v1/billing/packs, then POST /v1/billing/checkout.',
        '',
        'You get this once each time the balance falls below your threshold; change or remove it with PUT /v1/account/preferences (lowBalanceCredits).',
      ].join('\n'),
    });
  }
}
