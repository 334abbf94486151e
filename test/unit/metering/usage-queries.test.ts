import fc from 'fast-check';
import { LogKeyUsage } from '../../../lambdas/accounts/adapters/log-key-usage';
import { decodeLogCursor, encodeLogCursor, keyBuckets, matchesFilters } from '../../../lambdas/metering/domain/usage-queries';
import type { LogPageOptions, UsageLog, UsageLogStore } from '../../../lambdas/shared/usage-logs';

const log = (over: Partial<UsageLog>): UsageLog => ({
  requestId: 'req_1',
  keyId: 'key_a',
  product: 'echo',
  method: 'GET',
  path: '/hello',
  status: 200,
  outcome: 'ok',
  priceMicroCredits: 1_000_000,
  latencyMs: 10,
  requestBytes: 10,
  responseBytes: 100,
  ip: '203.0.113.1',
  userAgent: 'jest',
  at: '2026-03-01T10:15:00.000Z',
  ...over,
});

describe('log explorer filters', () => {
  const logs = [
    log({ requestId: 'r1', status: 200 }),
    log({ requestId: 'r2', status: 402, outcome: 'rejected', keyId: 'key_b' }),
    log({ requestId: 'r3', status: 429, outcome: 'rejected', path: '/other/x' }),
    log({ requestId: 'r4', status: 502, outcome: 'refunded', product: 'maps' }),
  ];
  const ids = (filter: Parameters<typeof matchesFilters>[0]) => logs.filter(matchesFilters(filter)).map((l) => l.requestId);

  it('narrows by status class, refusal, key, product and path prefix, together', () => {
    expect(ids({ status: '2xx' })).toEqual(['r1']);
    expect(ids({ status: '4xx' })).toEqual(['r2', 'r3']);
    expect(ids({ status: '402' })).toEqual(['r2']);
    expect(ids({ status: '429' })).toEqual(['r3']);
    expect(ids({ status: '5xx' })).toEqual(['r4']);
    expect(ids({ keyId: 'key_b' })).toEqual(['r2']);
    expect(ids({ product: 'maps' })).toEqual(['r4']);
    expect(ids({ pathPrefix: '/other' })).toEqual(['r3']);
    expect(ids({ keyId: 'key_a', status: '4xx' })).toEqual(['r3']);
    expect(ids({})).toEqual(['r1', 'r2', 'r3', 'r4']);
  });
});

describe('log cursors', () => {
  const position = '2026-03-01T10:15:00.000Z#req_1';

  it('read back for the same account and filters', () => {
    const cursor = encodeLogCursor('acc_a', { status: '4xx' }, position);
    expect(decodeLogCursor('acc_a', { status: '4xx' }, cursor)).toBe(position);
  });

  it('are refused for another account, other filters, or when edited', () => {
    const cursor = encodeLogCursor('acc_a', { status: '4xx' }, position);
    expect(() => decodeLogCursor('acc_b', { status: '4xx' }, cursor)).toThrow(
      expect.objectContaining({ code: 'invalid_cursor', kind: 'invalid' }),
    );
    expect(() => decodeLogCursor('acc_a', { status: '5xx' }, cursor)).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
    const edited = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString()), p: '2026-03-02T10:15:00.000Z#req_1' }),
    ).toString('base64url');
    expect(() => decodeLogCursor('acc_a', { status: '4xx' }, edited)).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it('refuse anything that is not one, never with a 500', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        try {
          decodeLogCursor('acc_a', {}, junk);
          return false;
        } catch (error) {
          return (error as { code?: string }).code === 'invalid_cursor';
        }
      }),
    );
  });
});

describe('per-key usage buckets', () => {
  it('count calls per bucket, key and product, credits charged and refunded, and split refusals into 402 and 429', () => {
    const buckets = keyBuckets(
      [
        log({ at: '2026-03-01T10:15:00.000Z' }),
        log({ at: '2026-03-01T10:45:00.000Z', latencyMs: 30 }),
        log({ at: '2026-03-01T10:50:00.000Z', status: 402, outcome: 'rejected' }),
        log({ at: '2026-03-01T11:05:00.000Z', status: 429, outcome: 'rejected' }),
        log({ at: '2026-03-01T11:06:00.000Z', status: 502, outcome: 'refunded' }),
        log({ at: '2026-03-01T11:07:00.000Z', keyId: 'key_b' }),
      ],
      'hour',
    );
    expect(
      buckets.map(
        ({ bucket, keyId, calls, admitted, rejected, rejectedNoCredit, rejectedRateLimited, errors, chargedMicro, refundedMicro }) => ({
          bucket,
          keyId,
          calls,
          admitted,
          rejected,
          rejectedNoCredit,
          rejectedRateLimited,
          errors,
          chargedMicro,
          refundedMicro,
        }),
      ),
    ).toEqual([
      {
        bucket: '2026-03-01T10:00:00Z',
        keyId: 'key_a',
        calls: 3,
        admitted: 2,
        rejected: 1,
        rejectedNoCredit: 1,
        rejectedRateLimited: 0,
        errors: 1,
        chargedMicro: 2_000_000,
        refundedMicro: 0,
      },
      {
        bucket: '2026-03-01T11:00:00Z',
        keyId: 'key_a',
        calls: 2,
        admitted: 1,
        rejected: 1,
        rejectedNoCredit: 0,
        rejectedRateLimited: 1,
        errors: 2,
        chargedMicro: 1_000_000,
        refundedMicro: 1_000_000,
      },
      {
        bucket: '2026-03-01T11:00:00Z',
        keyId: 'key_b',
        calls: 1,
        admitted: 1,
        rejected: 0,
        rejectedNoCredit: 0,
        rejectedRateLimited: 0,
        errors: 0,
        chargedMicro: 1_000_000,
        refundedMicro: 0,
      },
    ]);
    expect(keyBuckets([log({}), log({ at: '2026-03-01T23:59:00.000Z' })], 'day')).toEqual([
      expect.objectContaining({ bucket: '2026-03-01T00:00:00Z', calls: 2 }),
    ]);
  });
});

describe("a key's last use", () => {
  /** A store of logs newest first, honouring the filter and the cursor as the DynamoDB one does. */
  class ListedLogs implements UsageLogStore {
    pagesRead = 0;
    constructor(private readonly logs: UsageLog[]) {}
    async page(_accountId: string, options: LogPageOptions) {
      this.pagesRead++;
      const order = (l: UsageLog) => `${l.at}#${l.requestId}`;
      const all = [...this.logs]
        .sort((a, b) => order(b).localeCompare(order(a)))
        .filter((l) => (!options.cursor || order(l) < options.cursor) && (!options.filter || options.filter(l)));
      const logs = all.slice(0, options.limit);
      return { logs, nextCursor: all.length > options.limit ? order(logs.at(-1)!) : undefined };
    }
    async erasePage() {
      return { erased: 0, remaining: false };
    }
    async any() {
      return this.logs.length > 0;
    }
  }

  it('is the newest call of each key, with its address; a key never used has none', async () => {
    const store = new ListedLogs([
      log({ requestId: 'r1', keyId: 'key_a', at: '2026-03-01T10:00:00.000Z', ip: '198.51.100.1' }),
      log({ requestId: 'r2', keyId: 'key_a', at: '2026-03-01T12:00:00.000Z', ip: '198.51.100.2' }),
      log({ requestId: 'r3', keyId: 'key_b', at: '2026-03-01T11:00:00.000Z', ip: '198.51.100.3' }),
    ]);
    const uses = await new LogKeyUsage(store, () => new Date('2026-03-02T00:00:00Z')).lastUses('acc_a', ['key_a', 'key_b', 'key_c']);
    expect(Object.fromEntries(uses)).toEqual({
      key_a: { at: '2026-03-01T12:00:00.000Z', ip: '198.51.100.2' },
      key_b: { at: '2026-03-01T11:00:00.000Z', ip: '198.51.100.3' },
    });
  });

  it('stops reading once every key is found', async () => {
    const busy = Array.from({ length: 5_000 }, (_, i) =>
      log({ requestId: `r${i}`, keyId: i % 2 ? 'key_a' : 'key_b', at: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString() }),
    );
    const store = new ListedLogs(busy);
    await new LogKeyUsage(store, () => new Date('2026-03-02T00:00:00Z')).lastUses('acc_a', ['key_a', 'key_b']);
    expect(store.pagesRead).toBe(1);
  });
});
