import { DynamoDbKeyStore } from '../../../lambdas/accounts/adapters/dynamodb-stores';
import { KeyService, MAX_KEYS_PER_ACCOUNT } from '../../../lambdas/accounts/domain/keys';
import { itemTypeOf } from '../../../lambdas/shared/items';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { FixedClock, MemoryAccounts, MemorySecurityLog } from '../../helpers/memory-accounts';

const origin = { ip: '203.0.113.9', userAgent: 'jest' };

/** The key cap through DynamoDB's own conditional transactions, not an in-memory stand-in. */
describe('the live-key cap on DynamoDB', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  it('leaves twenty live keys when thirty are created at once, and every refusal is key_limit', async () => {
    const keys = new DynamoDbKeyStore(dynamo.client, 'apiKeys');
    const service = new KeyService({ keys, accounts: new MemoryAccounts(), securityLog: new MemorySecurityLog(), clock: new FixedClock() });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => service.create('acc_cap', `k${i}`, origin)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_KEYS_PER_ACCOUNT);
    expect(results.flatMap((r) => (r.status === 'rejected' ? [r.reason.code] : []))).toEqual(
      Array(30 - MAX_KEYS_PER_ACCOUNT).fill('key_limit'),
    );
    expect(await keys.listByAccount('acc_cap')).toHaveLength(MAX_KEYS_PER_ACCOUNT);
    expect([...(await keys.slots('acc_cap')).keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: MAX_KEYS_PER_ACCOUNT }, (_, i) => i),
    );
    // Every item written is a declared type (the data map lists it; erasure deletes the account's partition).
    const stored = (await dynamo.scanAll()).apiKeys;
    expect(stored.filter((item) => !itemTypeOf('apiKeys', item as { pk: string; sk: string }))).toEqual([]);
  });
});
