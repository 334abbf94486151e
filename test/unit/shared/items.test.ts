import { DATA_MAP } from '../../../lambdas/shared/data-map';
import { COUNTERS, ITEMS, type ItemType, itemTypeOf, itemTypesOf, subjectPartitions } from '../../../lambdas/shared/items';
import type { TableName } from '../../../lambdas/shared/tables';

/** A plausible value for each placeholder, so every declared key can be built. */
const SAMPLE: Record<string, string> = {
  accountId: 'acc_7Hq2',
  email: 'ana@example.org',
  emailHash: 'a'.repeat(64),
  tokenHash: 'b'.repeat(64),
  sessionId: 'ses_4f2a',
  keyId: 'key_9x',
  secretHash: 'c'.repeat(64),
  at: '2026-12-05T10:17:03.120Z',
  entryId: 'led_1',
  idempotencyKey: 'purchase:pi_1',
  shard: '3',
  paymentIntentId: 'pi_1',
  eventId: 'evt_1',
  pseudonym: 'psn_1_abc',
  rest: 'S000000000000001',
  call: 'S17',
  hourEnd: '2026-12-05T10:59:59.999Z',
  dayEnd: '2026-12-05T23:59:59.999Z',
  slot: '2_AbCdEf12',
  requestId: 'req_1',
  block: '000000000000002',
  hour: '2026-12-05T10',
  day: '2026-12-05',
  week: '2026-12-09',
  product: 'echo',
  requestId2: 'x',
  type: 'deletion',
  ticketId: 'tkt_1',
  noticeId: 'ntc_1',
  delivery: 'e'.repeat(32),
  digest: 'f'.repeat(64),
  messageId: '<m1@example.org>',
  stream: 'account#acc_7Hq2',
  seq: '000000000001',
  ip: '203.0.113.9',
  senderHash: 'd'.repeat(32),
  windowStart: '1764900000',
  agentId: 'q83vEjRW',
};
const sampleKey = (type: ItemType) => type.key(SAMPLE as never);
const named = [...Object.entries(ITEMS), ...Object.entries(COUNTERS).map(([name, counter]) => [name, counter.item] as const)];

describe('item types: one declaration per stored item', () => {
  it.each(named)('%s: its own key builder makes a key it recognises, and no type before it claims that key', (_name, type) => {
    const key = sampleKey(type);
    expect(type.matches(key)).toBe(true);
    expect(itemTypeOf(type.table, key)).toBe(type);
  });

  it('every table of the data map holds at least one declared item type, and every type is in a table of the data map', () => {
    for (const table of Object.keys(DATA_MAP) as TableName[]) expect(itemTypesOf(table).length).toBeGreaterThan(0);
    for (const [, type] of named) expect(Object.keys(DATA_MAP)).toContain(type.table);
  });

  it('recognises nothing it was not told about', () => {
    expect(itemTypeOf('accounts', { pk: 'ACCOUNT#acc_1', sk: 'PROFILE#2' })).toBeUndefined();
    expect(itemTypeOf('apiKeys', { pk: 'ACCOUNT#acc_1', sk: 'SECRET' })).toBeUndefined();
    expect(itemTypeOf('securityEvents', { pk: 'THROTTLE#made-up#acc_1', sk: 'W#1' })).toBeUndefined();
  });

  it("gives erasure every partition built from the person's account id or address hash, whichever context declared the counter", () => {
    const partitions = subjectPartitions('securityEvents', { accountId: 'acc_1', emailHash: 'h1' });
    expect(partitions).toEqual(
      expect.arrayContaining([
        'ACCOUNT#acc_1',
        'ACCOUNT#anonymous#h1',
        'ADDRESSES#acc_1',
        'THROTTLE#checkout#acc_1',
        'THROTTLE#password-check#acc_1',
        'THROTTLE#login-fail#h1',
        'THROTTLE#signup-email#h1',
      ]),
    );
    // Counters keyed by a network address or a sender hash name nobody erasure can look up.
    expect(partitions.some((pk) => pk.includes('login-ip'))).toBe(false);
    expect(subjectPartitions('privacyRequests', { accountId: 'acc_1', emailHash: 'h1' })).toEqual(
      expect.arrayContaining(['HOLD#acc_1', 'THROTTLE#privacy-account#acc_1', 'THROTTLE#privacy-password#acc_1']),
    );
  });

  it('a counter key is what the WindowCounter port stores under THROTTLE#', () => {
    expect(COUNTERS.checkouts.of('acc_1')).toBe('checkout#acc_1');
    expect(COUNTERS.checkouts.item.matches({ pk: `THROTTLE#${COUNTERS.checkouts.of('acc_1')}`, sk: 'W#1764900000' })).toBe(true);
  });
});
