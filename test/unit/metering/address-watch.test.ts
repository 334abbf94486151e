import { createHash } from 'node:crypto';
import { DynamoDbAccountStore, DynamoDbKeyStore, DynamoDbSecurityLog } from '../../../lambdas/accounts/adapters/dynamodb-stores';
import { KeyService } from '../../../lambdas/accounts/domain/keys';
import { DynamoDbAddressAlarm, DynamoDbKeyAddressLog } from '../../../lambdas/metering/adapters/dynamodb-address-watch';
import { DynamoDbKeyLookup } from '../../../lambdas/metering/adapters/dynamodb-key-lookup';
import { KeyAddressWatch } from '../../../lambdas/metering/domain/address-watch';
import { DynamoDbSecurityEvents } from '../../../lambdas/shared/adapters/dynamodb-security-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

const HOUR = '2026-03-01T10';
const call = (accountId: string, keyId: string, ip: string, minute = 5) => ({
  accountId,
  keyId,
  ip,
  at: `${HOUR}:${String(minute).padStart(2, '0')}:00.000Z`,
});
const system = { ip: 'ops', userAgent: 'jest' };

describe('the key address watch (usage worker), on DynamoDB', () => {
  let dynamo: LocalDynamo;
  let n = 0;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  /** A verified account with one live key, made through the accounts context as a user would. */
  async function customer() {
    const accountId = `acc_watch_${++n}`;
    const accounts = new DynamoDbAccountStore(dynamo.client, 'accounts');
    const now = new Date().toISOString();
    await accounts.create({
      accountId,
      email: `w${n}@example.org`,
      name: 'W',
      passwordHash: 'x',
      emailVerified: true,
      plan: 'free',
      createdAt: now,
      updatedAt: now,
    } as never);
    const keys = new KeyService({
      keys: new DynamoDbKeyStore(dynamo.client, 'apiKeys'),
      accounts,
      securityLog: new DynamoDbSecurityLog(dynamo.client, 'securityEvents'),
      clock: { now: () => new Date() },
    });
    const { key, secret } = await keys.create(accountId, 'main', system);
    return { accountId, keyId: key.keyId, secret, keys, accounts };
  }

  function watch(options: { addressesPerHour?: number; suspend?: boolean } = {}) {
    const log = new DynamoDbKeyAddressLog(dynamo.client, 'securityEvents');
    const writes = { add: 0 };
    const counted = { add: (...args: Parameters<typeof log.add>) => (writes.add++, log.add(...args)), flag: log.flag.bind(log) };
    let metrics = 0;
    const alarm = new DynamoDbAddressAlarm(dynamo.client, new DynamoDbSecurityEvents(dynamo.client, 'securityEvents'), () => metrics++, {
      accounts: 'accounts',
      apiKeys: 'apiKeys',
    });
    const watcher = new KeyAddressWatch(counted, alarm, {
      addressesPerHour: options.addressesPerHour ?? 5,
      suspend: options.suspend ?? false,
    });
    return { watcher, writes, metrics: () => metrics };
  }

  const eventsOf = async (accountId: string) => (await dynamo.scanAll()).securityEvents.filter((e) => e.accountId === accountId && e.type);
  const lookup = async (secret: string) =>
    new DynamoDbKeyLookup(dynamo.client, 'apiKeys').getBySecretHash(createHash('sha256').update(secret).digest('hex'));

  it('costs no write for addresses a container has already recorded for the key this hour', async () => {
    const { accountId, keyId } = await customer();
    const { watcher, writes } = watch();
    await watcher.observe([call(accountId, keyId, '198.51.100.1'), call(accountId, keyId, '198.51.100.2')]);
    expect(writes.add).toBe(1); // one write for the batch's new addresses of that key and hour
    for (let i = 0; i < 20; i++)
      await watcher.observe([call(accountId, keyId, '198.51.100.1', i), call(accountId, keyId, '198.51.100.2', i)]);
    expect(writes.add).toBe(1);
    await watcher.observe([call(accountId, keyId, '198.51.100.3')]);
    expect(writes.add).toBe(2);
  });

  it("writes nothing for a key's hour met from one address, and both addresses once a second one comes", async () => {
    const { accountId, keyId } = await customer();
    const { watcher, writes } = watch({ addressesPerHour: 3 });
    // An account calling once an hour from its one server: every call is a new key-hour, and none costs a write.
    for (let hour = 10; hour < 14; hour++)
      expect(await watcher.observe([{ ...call(accountId, keyId, '198.51.100.7'), at: `2026-03-01T${hour}:30:00.000Z` }])).toEqual([]);
    expect(writes.add).toBe(0);
    expect((await dynamo.scanAll()).securityEvents.filter((i) => i.pk === `ADDRESSES#${accountId}`)).toEqual([]);
    // A second address in an hour: the held one is written with it, so it still counts toward the limit.
    await watcher.observe([{ ...call(accountId, keyId, '198.51.100.8'), at: '2026-03-01T13:40:00.000Z' }]);
    expect(writes.add).toBe(1);
    const item = (await dynamo.scanAll()).securityEvents.find(
      (i) => i.pk === `ADDRESSES#${accountId}` && String(i.sk).startsWith('2026-03-01T13'),
    );
    expect((item!.addrs as Set<string>).size).toBe(2);
    expect(await watcher.observe([{ ...call(accountId, keyId, '198.51.100.9'), at: '2026-03-01T13:50:00.000Z' }])).toEqual([keyId]);
  });

  it('flags a key met from one address in each of many containers at most one address per container late', async () => {
    const { accountId, keyId } = await customer();
    const containers = [watch({ addressesPerHour: 4 }), watch({ addressesPerHour: 4 }), watch({ addressesPerHour: 4 })];
    // Each container meets one address first and holds it; then the addresses keep coming, round robin.
    const flagged: string[] = [];
    let address = 0;
    while (flagged.length === 0 && address < 20) {
      const { watcher } = containers[address % containers.length]!;
      flagged.push(...(await watcher.observe([call(accountId, keyId, `198.18.0.${++address}`)])));
    }
    expect(flagged).toEqual([keyId]);
    expect(address).toBeGreaterThanOrEqual(4);
    expect(address).toBeLessThanOrEqual(4 + containers.length);
  });

  it('flags a key once when it crosses the limit, across containers and batches, with a security event and a metric; no suspension unless asked', async () => {
    const { accountId, keyId, secret, accounts } = await customer();
    const [a, b] = [watch(), watch()]; // two worker containers
    expect(await a.watcher.observe([1, 2, 3].map((i) => call(accountId, keyId, `203.0.113.${i}`)))).toEqual([]);
    expect(await b.watcher.observe([3, 4].map((i) => call(accountId, keyId, `203.0.113.${i}`)))).toEqual([]);
    expect(await a.watcher.observe([call(accountId, keyId, '203.0.113.5')])).toEqual([keyId]); // the fifth distinct address
    expect(await b.watcher.observe([6, 7, 8].map((i) => call(accountId, keyId, `203.0.113.${i}`)))).toEqual([]);
    expect(a.metrics() + b.metrics()).toBe(1);
    const events = await eventsOf(accountId);
    expect(events.filter((e) => e.type === 'key_seen_from_many_addresses')).toEqual([
      expect.objectContaining({ detail: { keyId, hour: `${HOUR}:00:00Z`, addresses: '5', threshold: '5' } }),
    ]);
    expect(events.some((e) => e.type === 'account_suspended')).toBe(false);
    expect((await lookup(secret))?.suspended).toBeUndefined();
    expect((await accounts.get(accountId))?.suspension).toBeUndefined();
    // Nothing grows the flagged hour, and only digests are stored, never an address.
    const item = (await dynamo.scanAll()).securityEvents.find((i) => i.pk === `ADDRESSES#${accountId}`)!;
    expect((item.addrs as Set<string>).size).toBe(5);
    expect(JSON.stringify([...(item.addrs as Set<string>)])).not.toContain('203.0.113');
    expect(item.expiresAt).toBe(Date.parse(`${HOUR}:00:00Z`) / 1000 + 2 * 86_400);
  });

  it('counts each key and each hour apart', async () => {
    const { accountId, keyId } = await customer();
    const { watcher } = watch({ addressesPerHour: 3 });
    const other = 'key_other';
    expect(
      await watcher.observe([
        call(accountId, keyId, '192.0.2.1'),
        call(accountId, keyId, '192.0.2.2'),
        call(accountId, other, '192.0.2.3'),
      ]),
    ).toEqual([]);
    expect(await watcher.observe([{ ...call(accountId, keyId, '192.0.2.9'), at: '2026-03-01T11:00:01.000Z' }])).toEqual([]);
  });

  it('suspends the account when configured, as ops suspend does: the gateway sees the key suspended and ops unsuspend lifts it', async () => {
    const { accountId, keyId, secret, keys, accounts } = await customer();
    const { watcher } = watch({ addressesPerHour: 3, suspend: true });
    expect(await watcher.observe([1, 2, 3].map((i) => call(accountId, keyId, `192.0.2.${i}`)))).toEqual([keyId]);
    expect(await lookup(secret)).toMatchObject({ keyId, suspended: true });
    expect((await accounts.get(accountId))?.suspension).toMatchObject({
      by: 'usage-worker',
      reason: expect.stringContaining('3 addresses'),
    });
    expect((await eventsOf(accountId)).map((e) => e.type)).toEqual(
      expect.arrayContaining(['key_seen_from_many_addresses', 'account_suspended']),
    );
    // A key made while suspended starts suspended (accounts context reads the same suspension).
    expect((await keys.create(accountId, 'second', system)).key).toMatchObject({ suspended: true });

    await keys.setSuspended(accountId, undefined, system);
    expect((await lookup(secret))?.suspended).toBe(false);
    expect((await accounts.get(accountId))?.suspension).toBeNull();

    // Flagged again in a later hour after the suspension was lifted: suspended again.
    expect(
      await watcher.observe([1, 2, 3].map((i) => ({ ...call(accountId, keyId, `192.0.2.${i}`), at: '2026-03-01T12:00:00.000Z' }))),
    ).toEqual([keyId]);
    expect(await lookup(secret)).toMatchObject({ suspended: true });
    expect((await accounts.get(accountId))?.suspension).toMatchObject({ by: 'usage-worker' });
  });
});
