import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDbEmailLinkTokens } from '../../shared/adapters/dynamodb-email-link-tokens';
import type { Account, ApiKey, EmailToken, SecurityEvent, Session } from '../domain/model';
import { DynamoDbWindowCounter } from '../../shared/adapters/dynamodb-counter';
import { DynamoDbSecurityEvents, SECURITY_EVENT_TTL_SECONDS } from '../../shared/adapters/dynamodb-security-events';
import { queryAll } from '../../shared/dynamodb-query';
import { accountSessionItems, type SessionRef, sessionKeys } from '../../shared/adapters/dynamodb-sessions';
import type { AccountChanges, AccountStore, FailureCounter, KeyStore, SecurityLog, SessionStore, TokenStore } from '../domain/ports';
import { ITEMS } from '../../shared/items';

/** Removes the key attributes an item carries for DynamoDB's sake. */
function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}

function conditionFailed(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  return (
    error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

/** Accounts at `ACCOUNT#<id>/PROFILE`; each email is claimed by a guard item `EMAIL#<email>/EMAIL`. */
export class DynamoDbAccountStore implements AccountStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key = (accountId: string) => ITEMS.account.key({ accountId });
  private guard = (email: string) => ITEMS.emailGuard.key({ email });

  async create(account: Account): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...this.key(account.accountId), ...account },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...this.guard(account.email), accountId: account.accountId },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async get(accountId: string): Promise<Account | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: this.key(accountId), ConsistentRead: true }));
    return strip<Account>(Item);
  }

  async findByEmail(email: string): Promise<Account | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: this.guard(email), ConsistentRead: true }));
    return Item ? this.get(String(Item.accountId)) : undefined;
  }

  async markVerified(accountId: string, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(accountId),
        UpdateExpression: 'SET emailVerified = :true, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':at': at },
      }),
    );
  }

  /**
   * One conditional write: the fields given are set, and the profile is patched in place (each field
   * set or removed on its own path), so a correction never writes back a profile it read before.
   */
  async update(accountId: string, changes: AccountChanges, at: string): Promise<Account> {
    const { profile, ...rest } = changes;
    const fields = Object.entries(rest).filter(([, value]) => value !== undefined);
    const names: Record<string, string> = Object.fromEntries(fields.map(([field], i) => [`#f${i}`, field]));
    const values: Record<string, unknown> = { ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])), ':at': at };
    const sets = [...fields.map((_, i) => `#f${i} = :v${i}`), 'updatedAt = :at'];
    const removes: string[] = [];
    const patch = Object.entries(profile ?? {}).filter(([, value]) => value !== undefined);
    if (patch.length) names['#profile'] = 'profile';
    patch.forEach(([field, value], i) => {
      names[`#p${i}`] = field;
      if (value === null) removes.push(`#profile.#p${i}`);
      else {
        values[`:p${i}`] = value;
        sets.push(`#profile.#p${i} = :p${i}`);
      }
    });
    const write = () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(accountId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
    try {
      return strip<Account>((await write()).Attributes)!;
    } catch (error) {
      // A path into a map needs the map: an account stored without a profile gets an empty one first (only if it still has none).
      if (!patch.length || !(error instanceof Error && error.name === 'ValidationException' && /document path/i.test(error.message)))
        throw error;
      await this.client
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: this.key(accountId),
            UpdateExpression: 'SET #profile = :empty',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#profile)',
            ExpressionAttributeNames: { '#profile': 'profile' },
            ExpressionAttributeValues: { ':empty': {} },
          }),
        )
        .catch((cause) => {
          if (!conditionFailed(cause)) throw cause;
        });
      return strip<Account>((await write()).Attributes)!;
    }
  }

  async rememberSignInAddresses(accountId: string, addresses: string[]): Promise<Account | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(accountId),
          UpdateExpression: 'SET signInAddresses = :addresses',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':addresses': addresses },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<Account>(Attributes);
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }

  async changeEmail(accountId: string, from: string, to: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { ...this.guard(to), accountId }, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Delete: {
                TableName: this.table,
                Key: this.guard(from),
                ConditionExpression: 'accountId = :id',
                ExpressionAttributeValues: { ':id': accountId },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: this.key(accountId),
                // emailSince: mail from this address before now was someone else's (export and erasure read it).
                UpdateExpression: 'SET email = :to, emailVerified = :true, updatedAt = :at, emailSince = :at REMOVE emailChangeTo',
                ConditionExpression: 'email = :from AND emailChangeTo = :to',
                ExpressionAttributeValues: { ':to': to, ':from': from, ':true': true, ':at': at },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}

/**
 * Each session is two items written and deleted together, as keys are: `SESSION#<tokenHash>/SESSION`
 * (what a request's token resolves) and `ACCOUNT#<id>/SESSION#<sessionId>` (the account's view, listed
 * with a strongly consistent query, so signing out everywhere finds a session opened a moment before).
 * Both expire through TTL on the same `expiresAt`.
 */
export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(session: Session): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: sessionKeys(session).map((key) => ({ Put: { TableName: this.table, Item: { ...key, ...session } } })),
      }),
    );
  }

  async getByTokenHash(tokenHash: string): Promise<Session | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: ITEMS.session.key({ tokenHash }), ConsistentRead: true }),
    );
    return strip<Session>(Item);
  }

  async listByAccount(accountId: string): Promise<Session[]> {
    return (await accountSessionItems(this.client, this.table, accountId)).map((item) => strip<Session>(item)!);
  }

  async delete(session: SessionRef): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({ TransactItems: sessionKeys(session).map((key) => ({ Delete: { TableName: this.table, Key: key } })) }),
    );
  }
}

/** Single-use email links at `TOKEN#<hash>/TOKEN`, expiring through TTL; written as the shared adapter writes them. */
export class DynamoDbTokenStore extends DynamoDbEmailLinkTokens implements TokenStore {
  async consume(tokenHash: string, purposes: EmailToken['purpose'][]): Promise<EmailToken | undefined> {
    const values = Object.fromEntries(purposes.map((p, i) => [`:p${i}`, p]));
    try {
      const { Attributes } = await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: ITEMS.emailLink.key({ tokenHash }),
          ConditionExpression: `attribute_exists(pk) AND #purpose IN (${Object.keys(values).join(', ')})`,
          ExpressionAttributeNames: { '#purpose': 'purpose' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return strip<EmailToken>(Attributes);
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }
}

/**
 * Each key is two items written together: `ACCOUNT#<id>/KEY#<keyId>` (the account's view, listed with a
 * strongly consistent query) and `SECRET#<hash>/SECRET` (what the gateway resolves a secret with).
 */
export class DynamoDbKeyStore implements KeyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private accountKey = (accountId: string, keyId: string) => ITEMS.apiKey.key({ accountId, keyId });
  private secretKey = (secretHash: string) => ITEMS.apiKeyLookup.key({ secretHash });
  private slotKey = (accountId: string, index: number) => ITEMS.keySlot.key({ accountId, slot: String(index).padStart(2, '0') });

  async slots(accountId: string): Promise<Map<number, string>> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slot)',
      ExpressionAttributeValues: { ':pk': ITEMS.keySlot.pk({ accountId }), ':slot': ITEMS.keySlot.skPrefix },
      ConsistentRead: true,
    });
    return new Map(items.map((item) => [Number(String(item.sk).slice(ITEMS.keySlot.skPrefix.length)), String(item.keyId)]));
  }

  async put(key: ApiKey, slot?: { index: number; holder?: string }): Promise<boolean> {
    const takeSlot = slot && {
      Put: {
        TableName: this.table,
        Item: { ...this.slotKey(key.accountId, slot.index), keyId: key.keyId },
        ConditionExpression: slot.holder ? 'keyId = :holder' : 'attribute_not_exists(pk)',
        ...(slot.holder ? { ExpressionAttributeValues: { ':holder': slot.holder } } : {}),
      },
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...this.accountKey(key.accountId, key.keyId), ...key },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...this.secretKey(key.secretHash), ...key },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...(takeSlot ? [takeSlot] : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      // Another creation took the place first (or is taking it right now): the caller picks another.
      if (takeSlot && ['ConditionalCheckFailed', 'TransactionConflict'].includes(reasons[2]?.Code ?? '')) return false;
      throw error;
    }
  }

  async listByAccount(accountId: string): Promise<ApiKey[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :key)',
      ExpressionAttributeValues: { ':pk': ITEMS.apiKey.pk({ accountId }), ':key': ITEMS.apiKey.skPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => strip<ApiKey>(item)!);
  }

  async transition(
    accountId: string,
    keyId: string,
    from: ApiKey['status'][],
    changes: Partial<Pick<ApiKey, 'status' | 'graceUntil' | 'revokedAt' | 'replacedBy' | 'plan' | 'suspended'>>,
  ): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: this.accountKey(accountId, keyId), ConsistentRead: true }),
    );
    if (!Item) return false;
    const fields = Object.entries(changes).filter(([, v]) => v !== undefined);
    const update = {
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: `accountId = :account AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(fields.map(([f], i) => [`#f${i}`, f])) },
      ExpressionAttributeValues: {
        ':account': accountId,
        ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])),
        ...Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])),
      },
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: this.table, Key: this.accountKey(accountId, keyId), ...update } },
            { Update: { TableName: this.table, Key: this.secretKey(String(Item.secretHash)), ...update } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}

/** Security events at `ACCOUNT#<id>/<at>#<eventId>`, kept one year; login-failure counters beside them. */
export class DynamoDbSecurityLog implements SecurityLog, FailureCounter {
  private readonly counters: DynamoDbWindowCounter;
  private readonly events: DynamoDbSecurityEvents;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.counters = new DynamoDbWindowCounter(client, table);
    this.events = new DynamoDbSecurityEvents(client, table);
  }

  record(event: SecurityEvent): Promise<void> {
    return this.events.record(event);
  }

  /**
   * One page, newest first. The key condition starts at the retention horizon, so events TTL has not
   * swept yet never show and no filter shortens a page; the cursor is the last sort key, always read
   * inside the caller's own partition.
   */
  async listByAccount(accountId: string, limit: number, cursor?: string): Promise<{ events: SecurityEvent[]; nextCursor?: string }> {
    const horizon = new Date(Date.now() - SECURITY_EVENT_TTL_SECONDS * 1000).toISOString();
    const pk = ITEMS.securityEvent.pk({ accountId });
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk > :horizon',
        ExpressionAttributeValues: { ':pk': pk, ':horizon': horizon },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor ? { pk, sk: cursor } : undefined,
      }),
    );
    const events = (Items ?? []).map((item) => {
      const { expiresAt: _ttl, ...event } = strip<SecurityEvent & { expiresAt: number }>(item)!;
      return event;
    });
    return { events, nextCursor: LastEvaluatedKey ? String(LastEvaluatedKey.sk) : undefined };
  }

  count(key: string, windowStart: number): Promise<number> {
    return this.counters.count(key, windowStart);
  }

  increment(key: string, windowStart: number, expiresAt: number): Promise<number> {
    return this.counters.increment(key, windowStart, expiresAt);
  }

  release(key: string, windowStart: number): Promise<void> {
    return this.counters.release(key, windowStart);
  }

  reset(key: string, windowStart: number): Promise<void> {
    return this.counters.reset(key, windowStart);
  }
}
