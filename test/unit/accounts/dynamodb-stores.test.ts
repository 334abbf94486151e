import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbAccountStore,
  DynamoDbKeyStore,
  DynamoDbSessionStore,
  DynamoDbTokenStore,
} from '../../../lambdas/accounts/adapters/dynamodb-stores';
import { dynamoDbSessionLookup } from '../../../lambdas/shared/auth/session';
import type { Account } from '../../../lambdas/accounts/domain/model';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const cancelled = () =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
  });

const account: Account = {
  accountId: 'acc_1',
  email: 'ann@example.org',
  name: 'Ann',
  profile: {},
  preferences: { productUpdates: false, analytics: true },
  passwordHash: 'h',
  emailVerified: false,
  plan: 'free',
  createdAt: 't',
  updatedAt: 't',
};

describe('DynamoDB account store', () => {
  beforeEach(() => ddb.reset());

  it('writes the account and its email guard in one conditional transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await expect(new DynamoDbAccountStore(client, 'accounts').create(account)).resolves.toBe(true);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => [i.Put!.Item!.pk, i.Put!.ConditionExpression])).toEqual([
      ['ACCOUNT#acc_1', 'attribute_not_exists(pk)'],
      ['EMAIL#ann@example.org', 'attribute_not_exists(pk)'],
    ]);
  });

  it('reports a taken email as false, and other failures as errors', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled()).rejectsOnce(new Error('throttled'));
    const store = new DynamoDbAccountStore(client, 'accounts');
    await expect(store.create(account)).resolves.toBe(false);
    await expect(store.create(account)).rejects.toThrow('throttled');
  });
});

describe('DynamoDB token store', () => {
  beforeEach(() => ddb.reset());

  it('consumes a token with one conditional delete, so a second use finds nothing', async () => {
    ddb
      .on(DeleteCommand)
      .resolvesOnce({ Attributes: { pk: 'TOKEN#h', sk: 'TOKEN', tokenHash: 'h', purpose: 'verify_email' } })
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const store = new DynamoDbTokenStore(client, 'tokens');
    await expect(store.consume('h', ['verify_email'])).resolves.toEqual({ tokenHash: 'h', purpose: 'verify_email' });
    await expect(store.consume('h', ['verify_email'])).resolves.toBeUndefined();
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND #purpose IN (:p0)',
      ExpressionAttributeValues: { ':p0': 'verify_email' },
      ReturnValues: 'ALL_OLD',
    });
  });
});

describe('DynamoDB key store', () => {
  beforeEach(() => ddb.reset());

  it('changes both records of a key together, only for its own account and expected state', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'ACCOUNT#acc_1', sk: 'KEY#key_1', secretHash: 'abc', accountId: 'acc_1' } });
    ddb.on(TransactWriteCommand).resolves({});
    await expect(
      new DynamoDbKeyStore(client, 'apiKeys').transition('acc_1', 'key_1', ['active'], { status: 'revoked', revokedAt: 'now' }),
    ).resolves.toBe(true);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => i.Update!.Key)).toEqual([
      { pk: 'ACCOUNT#acc_1', sk: 'KEY#key_1' },
      { pk: 'SECRET#abc', sk: 'SECRET' },
    ]);
    for (const item of items) {
      expect(item.Update!.ConditionExpression).toBe('accountId = :account AND #status IN (:from0)');
      expect(item.Update!.ExpressionAttributeValues).toMatchObject({ ':account': 'acc_1', ':from0': 'active', ':v0': 'revoked' });
    }
  });

  it('answers false for a key the account does not have', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(new DynamoDbKeyStore(client, 'apiKeys').transition('acc_2', 'key_1', ['active'], { status: 'revoked' })).resolves.toBe(
      false,
    );
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('DynamoDB session store', () => {
  beforeEach(() => ddb.reset());
  const session = {
    sessionId: 'ses_1',
    tokenHash: 'h'.repeat(64),
    accountId: 'acc_1',
    ip: '203.0.113.9',
    userAgent: 'jest',
    createdAt: '2026-03-01T10:00:00.000Z',
    expiresAt: 1_772_964_000,
  };

  it("writes a session's lookup copy and the account's copy in one transaction, both with the TTL, neither in gsi1", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await new DynamoDbSessionStore(client, 'sessions').put(session);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!.map((i) => i.Put!.Item!);
    expect(items.map((i) => [i.pk, i.sk, i.expiresAt, i.gsi1pk])).toEqual([
      [`SESSION#${session.tokenHash}`, 'SESSION', session.expiresAt, undefined],
      ['ACCOUNT#acc_1', 'SESSION#ses_1', session.expiresAt, undefined],
    ]);
  });

  it('ends a session by deleting both copies in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await new DynamoDbSessionStore(client, 'sessions').delete(session);
    const keys = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!.map((i) => i.Delete!.Key);
    expect(keys).toEqual([
      { pk: `SESSION#${session.tokenHash}`, sk: 'SESSION' },
      { pk: 'ACCOUNT#acc_1', sk: 'SESSION#ses_1' },
    ]);
  });

  it("lists the account's copies with a strongly consistent query, and sessions from before them through gsi1", async () => {
    ddb
      .on(QueryCommand, { IndexName: undefined })
      .resolves({ Items: [{ pk: 'ACCOUNT#acc_1', sk: 'SESSION#ses_1', ...session }] })
      .on(QueryCommand, { IndexName: 'gsi1' })
      .resolves({
        Items: [
          {
            pk: `SESSION#${'o'.repeat(64)}`,
            sk: 'SESSION',
            gsi1pk: 'ACCOUNT#acc_1',
            ...session,
            sessionId: 'ses_old',
            tokenHash: 'o'.repeat(64),
          },
        ],
      });
    const listed = await new DynamoDbSessionStore(client, 'sessions').listByAccount('acc_1');
    expect(listed.map((s) => s.sessionId)).toEqual(['ses_1', 'ses_old']);
    const own = ddb.commandCalls(QueryCommand).find((c) => !c.args[0].input.IndexName)!.args[0].input;
    expect(own).toMatchObject({ ConsistentRead: true, ExpressionAttributeValues: { ':pk': 'ACCOUNT#acc_1', ':session': 'SESSION#' } });
  });

  it('resolves a token with a strongly consistent read: a session signed out resolves nothing from the next request on', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: `SESSION#${session.tokenHash}`, sk: 'SESSION', ...session } });
    await new DynamoDbSessionStore(client, 'sessions').getByTokenHash(session.tokenHash);
    await dynamoDbSessionLookup(client, 'sessions').getByTokenHash(session.tokenHash);
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.ConsistentRead)).toEqual([true, true]);
  });
});
