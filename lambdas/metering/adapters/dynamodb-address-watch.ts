import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SecurityEventSink } from '../../shared/adapters/dynamodb-security-events';
import { securityEvent } from '../../shared/security-events';
import type { AddressAlarm, KeyAddressLog } from '../domain/address-watch';
import { ITEMS } from '../../shared/items';

/** How long a key's hour of addresses is kept: long enough to look at the day after, then TTL removes it. */
const KEPT_SECONDS = 2 * 86_400;
/** Who raises the worker's security events. */
const WORKER = { ip: 'omnapi', userAgent: 'usage-worker' };

/**
 * A key's addresses for one hour at `ADDRESSES#<accountId>` / `<hour>#<keyId>` in the securityEvents
 * table (a partition the privacy erasure deletes with the account's events), as a string set of
 * digests. Once the hour is flagged nothing more is added, so a botnet cannot grow the item past the
 * threshold (at most 10,000 digests, ~150 KB, inside DynamoDB's 400 KB).
 */
export class DynamoDbKeyAddressLog implements KeyAddressLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key = (accountId: string, keyId: string, hour: string) => ITEMS.keyAddresses.key({ accountId, hour, keyId });

  async add(accountId: string, keyId: string, hour: string, addresses: string[]): Promise<number | 'flagged'> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(accountId, keyId, hour),
          UpdateExpression: 'ADD addrs :addrs SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(flagged)',
          ExpressionAttributeValues: { ':addrs': new Set(addresses), ':expires': Math.floor(Date.parse(hour) / 1000) + KEPT_SECONDS },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return (Attributes?.addrs as Set<string> | undefined)?.size ?? addresses.length;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'flagged';
      throw error;
    }
  }

  async flag(accountId: string, keyId: string, hour: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(accountId, keyId, hour),
          UpdateExpression: 'SET flagged = :true',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(flagged)',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

export interface SuspensionTables {
  accounts: string;
  apiKeys: string;
}

/**
 * Raises the flag as a security event and a metric, and — when configured — suspends the account the
 * way `npm run ops -- suspend` does (`suspension` on the profile, `suspended` on both items of each
 * live key), so `ops unsuspend` lifts it the same way. A reason ops already set is kept.
 */
export class DynamoDbAddressAlarm implements AddressAlarm {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly events: SecurityEventSink,
    private readonly metric: () => void,
    private readonly tables?: SuspensionTables,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async raise(flag: { accountId: string; keyId: string; hour: string; addresses: number; threshold: number }): Promise<void> {
    this.metric();
    await this.events.record(
      securityEvent(flag.accountId, 'key_seen_from_many_addresses', WORKER, this.now(), {
        keyId: flag.keyId,
        hour: flag.hour,
        addresses: String(flag.addresses),
        threshold: String(flag.threshold),
      }),
    );
  }

  async suspend(accountId: string, reason: string): Promise<void> {
    if (!this.tables) throw new Error('Suspension is not configured for the usage worker');
    const at = this.now().toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.accounts,
          Key: ITEMS.account.key({ accountId }),
          // A suspension already in force (set by ops) keeps its reason; a lifted one is null.
          UpdateExpression: 'SET suspension = :suspension, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(suspension) OR attribute_type(suspension, :null))',
          ExpressionAttributeValues: { ':suspension': { reason, at, by: 'usage-worker' }, ':at': at, ':null': 'NULL' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) return; // the account is gone
      // Suspended already: its keys are suspended below all the same.
    }
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.apiKeys,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :key)',
        ExpressionAttributeValues: { ':pk': ITEMS.apiKey.pk({ accountId }), ':key': ITEMS.apiKey.skPrefix },
        ConsistentRead: true,
      }),
    );
    for (const key of Items.filter((k) => k.status === 'active' || k.status === 'rolling')) {
      const update = {
        UpdateExpression: 'SET suspended = :true',
        ConditionExpression: 'accountId = :account AND #status IN (:active, :rolling)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':true': true, ':account': accountId, ':active': 'active', ':rolling': 'rolling' },
      };
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName: this.tables.apiKeys, Key: { pk: key.pk, sk: key.sk }, ...update } },
              { Update: { TableName: this.tables.apiKeys, Key: ITEMS.apiKeyLookup.key({ secretHash: key.secretHash }), ...update } },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error; // revoked meanwhile
      }
    }
    await this.events.record(securityEvent(accountId, 'account_suspended', WORKER, this.now(), { reason }));
  }
}
