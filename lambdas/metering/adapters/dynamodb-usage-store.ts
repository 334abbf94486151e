import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { UsageEvent } from '../domain/model';
import { type AnalyticsConsent, bucketsOf, type UsageStore } from '../domain/usage';
import { balanceKey } from './dynamodb-meter';

export interface UsageTables {
  usageLogs: string;
  usageAggregates: string;
  ledger: string;
}

/**
 * One transaction per event. The log item is put only if absent, so a redelivered event cancels the
 * whole transaction and nothing — aggregates, refund — is counted twice; a failed transaction
 * writes nothing and the event is retried.
 */
export class DynamoDbUsageStore implements UsageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: UsageTables,
  ) {}

  async record(event: UsageEvent, options: { analytics: boolean; logExpiresAt: number }): Promise<'recorded' | 'duplicate'> {
    const { hour, day } = bucketsOf(event.at);
    const charged = event.outcome === 'rejected' ? 0 : event.priceMicroCredits;
    const refunded = event.outcome === 'refunded' ? event.priceMicroCredits : 0;
    const counters: Record<string, number> = {
      calls: 1,
      admitted: event.outcome === 'rejected' ? 0 : 1,
      rejected: event.outcome === 'rejected' ? 1 : 0,
      errors: event.status >= 400 ? 1 : 0,
      chargedMicro: charged,
      refundedMicro: refunded,
      latencyMsSum: Math.round(event.latencyMs),
      bytesIn: event.requestBytes,
      bytesOut: event.responseBytes,
    };
    const counterNames = Object.keys(counters);
    // Every attribute goes through a placeholder: several (bucket, errors) are reserved words.
    const rollup = (pk: string, sk: string) => ({
      Update: {
        TableName: this.tables.usageAggregates,
        Key: { pk, sk },
        UpdateExpression: `SET #product = :product, #bucket = :bucket ADD ${counterNames.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: { '#product': 'product', '#bucket': 'bucket', ...Object.fromEntries(counterNames.map((n, i) => [`#c${i}`, n])) },
        ExpressionAttributeValues: {
          ':product': event.product,
          ':bucket': sk.split('#')[0],
          ...Object.fromEntries(counterNames.map((n, i) => [`:c${i}`, counters[n]])),
        },
      },
    });

    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Put: {
          TableName: this.tables.usageLogs,
          Item: { pk: `ACCOUNT#${event.accountId}`, sk: `${event.at}#${event.requestId}`, ...event, expiresAt: options.logExpiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      rollup(`ACCOUNT#${event.accountId}#H`, `${hour}#${event.product}`),
      rollup(`ACCOUNT#${event.accountId}#D`, `${day}#${event.product}`),
    ];
    if (options.analytics) items.push(rollup(`ANALYTICS#${event.product}#H`, `${hour}#${event.product}`));
    if (refunded) {
      items.push(
        {
          Put: {
            TableName: this.tables.ledger,
            Item: {
              pk: `ACCOUNT#${event.accountId}`,
              sk: `ENTRY#${event.at}#refund#${event.requestId}`,
              type: 'refund',
              amountMicro: refunded,
              reason: `Upstream of ${event.product} failed (HTTP ${event.status})`,
              ref: event.requestId,
              at: event.at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.tables.ledger,
            Key: balanceKey(event.accountId),
            UpdateExpression: 'ADD balance :refund',
            ExpressionAttributeValues: { ':refund': refunded },
          },
        },
      );
    }

    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: event.requestId.slice(0, 36) }));
      return 'recorded';
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }
}

/** Reads the account's analytics preference; an account that cannot be read counts as objecting. */
export class DynamoDbAnalyticsConsent implements AnalyticsConsent {
  private readonly cache = new Map<string, { allows: boolean; expires: number }>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly accountsTable: string,
  ) {}

  async allows(accountId: string): Promise<boolean> {
    const cached = this.cache.get(accountId);
    if (cached && cached.expires > Date.now()) return cached.allows;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.accountsTable, Key: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' }, ProjectionExpression: 'preferences' }),
    );
    const allows = Item?.preferences?.analytics === true;
    this.cache.set(accountId, { allows, expires: Date.now() + 60_000 });
    return allows;
  }
}
