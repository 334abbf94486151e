import fc from 'fast-check';
import { UsageEventSchema } from '../../../lambdas/metering/domain/usage';
import { callsOfItem, encodeSlotEntry } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import {
  agentIdOf,
  COMPACT_ENTRY,
  decodeClient,
  decodeCompactEntry,
  encodeClient,
  encodeInlineClient,
  type EntryFields,
  encodeCompactEntry,
  formatIpv6,
  isCompactEntry,
} from '../../../lambdas/shared/adapters/slot-entry';
import type { UsageLog } from '../../../lambdas/shared/usage-logs';
import { legacySlotEntry } from '../../helpers/legacy-slot-entry';

const HOUR = 3_600_000;
const hourOf = (at: string) => Math.floor(Date.parse(at) / HOUR) * HOUR;

const text = (maxLength: number, minLength = 0) =>
  fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }).filter((s) => s.length <= maxLength),
    fc.string({ unit: 'binary', minLength, maxLength }).filter((s) => s.length <= maxLength),
  );
const count = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const duration = fc.oneof(count, fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }), fc.constant(Number.MAX_VALUE));
/** Every form `z.iso.datetime()` accepts: milliseconds as toISOString writes them, none, or more digits. */
const time = fc
  .tuple(
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
    fc.constantFrom('ms', 'seconds', 'minutes', 'micro', 'tenths'),
  )
  .map(([date, form]) => {
    const iso = date.toISOString();
    if (form === 'seconds') return iso.replace(/\.\d{3}Z$/, 'Z');
    if (form === 'minutes') return iso.replace(/:\d{2}\.\d{3}Z$/, 'Z');
    if (form === 'micro') return iso.replace('Z', '417Z');
    if (form === 'tenths') return iso.replace(/\d{2}Z$/, 'Z');
    return iso;
  });

/** Usage events the worker's schema accepts, with the request ids, IPs and methods real traffic has and anything else the schema allows. */
const events = fc
  .record(
    {
      requestId: fc.oneof(
        fc.uuid(),
        fc.stringMatching(/^[A-Za-z0-9+/]{15}=$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/),
        fc.stringMatching(/^(?:[0-9a-f]{2}){1,50}$/),
        text(100, 1),
      ),
      product: fc.oneof(fc.constantFrom('echo', 'maps'), text(40, 1)),
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'PROPFIND'), text(10, 1)),
      path: fc.oneof(
        fc.constantFrom('', '/ping', '/customers/cus_8f2a91/invoices'),
        text(1024),
        fc.webPath().filter((p) => p.length <= 1024),
      ),
      status: fc.integer({ min: 100, max: 599 }),
      outcome: fc.constantFrom('ok' as const, 'refunded' as const, 'rejected' as const),
      priceMicroCredits: count,
      latencyMs: duration,
      upstreamLatencyMs: duration,
      requestBytes: count,
      responseBytes: count,
      ip: fc.oneof(
        fc.ipV4(),
        fc.ipV6(),
        fc.ipV4Extended(),
        fc.constantFrom('', '::', '::1', '2001:db8::1', '2001:DB8::1', 'fe80::1%eth0'),
        text(64),
      ),
      at: time,
    },
    {
      requiredKeys: [
        'requestId',
        'product',
        'method',
        'path',
        'status',
        'outcome',
        'priceMicroCredits',
        'latencyMs',
        'requestBytes',
        'responseBytes',
        'ip',
        'at',
      ],
    },
  )
  // Only what the worker would store: the schema's own limits (string lengths count UTF-16 units), after the queue's JSON.
  .map((fields) => JSON.parse(JSON.stringify(fields)) as EntryFields)
  .filter((fields) => UsageEventSchema.safeParse({ v: 1, accountId: 'acc_1', keyId: 'key_1', userAgent: 'ua', ...fields }).success);

describe('compact slot entries', () => {
  it('give back every field of every event the usage schema accepts, and the analytics mark', () => {
    fc.assert(
      fc.property(events, fc.boolean(), (fields, analytics) => {
        const encoded = encodeCompactEntry(fields, analytics, hourOf(fields.at));
        expect(isCompactEntry(encoded)).toBe(true);
        expect(decodeCompactEntry(encoded, hourOf(fields.at))).toEqual({ fields, analytics });
      }),
      { numRuns: 2_000 },
    );
  });

  it('hold a typical call in far fewer bytes than the Brotli-compressed JSON array slots stored before', () => {
    const log: UsageLog = {
      requestId: 'JxXh3gKfIAMEVbQ=',
      keyId: 'key_0123456789abcdef01234567',
      product: 'echo',
      method: 'GET',
      path: '/customers/cus_8f2a91/invoices',
      status: 200,
      outcome: 'ok',
      priceMicroCredits: 1_000,
      latencyMs: 31,
      upstreamLatencyMs: 24,
      requestBytes: 0,
      responseBytes: 412,
      ip: '203.0.113.45',
      userAgent: 'python-requests/2.32.3',
      at: '2026-03-01T10:17:03.120Z',
    };
    const compact = encodeSlotEntry(log, true);
    const before = legacySlotEntry(log, true);
    // 3 header bytes, an 11-byte id, 5 of product, 31 of path, 11 of numbers, 4 of IP, 3 of time.
    expect(compact.byteLength).toBeLessThanOrEqual(70);
    expect(before.byteLength - compact.byteLength).toBeGreaterThanOrEqual(25);
  });

  it('keep the request ids, addresses and times of real traffic in their short forms', () => {
    const base: EntryFields = {
      requestId: 'x',
      product: 'p',
      method: 'GET',
      path: '',
      status: 200,
      outcome: 'ok',
      priceMicroCredits: 0,
      latencyMs: 0,
      requestBytes: 0,
      responseBytes: 0,
      ip: '',
      at: '2026-03-01T10:00:00.000Z',
    };
    const size = (over: Partial<EntryFields>) => encodeCompactEntry({ ...base, ...over }, false, hourOf(base.at)).byteLength;
    const empty = size({});
    expect(size({ requestId: '3b241101-e2bb-4255-8caf-4136c566a962' }) - empty).toBe(16 - 2);
    expect(size({ requestId: 'JxXh3gKfIAMEVbQ=' }) - empty).toBe(1 + 11 - 2);
    expect(size({ requestId: 'Ab3_x-Zq09Yt71kP' }) - empty).toBe(1 + 12 - 2);
    expect(size({ ip: '203.0.113.45' }) - empty).toBe(4 - 1);
    expect(size({ ip: '2001:db8::8a2e:370:7334' }) - empty).toBe(16 - 1);
    // Text when the bytes would give back another text.
    expect(size({ ip: '2001:DB8::1' }) - empty).toBe('2001:DB8::1'.length);
    expect(size({ at: '2026-03-01T10:59:59.999Z' }) - empty).toBe(3);
  });

  it('formats IPv6 addresses as RFC 5952 does', () => {
    const bytes = (groups: number[]) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
    expect(formatIpv6(bytes([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]))).toBe('2001:db8::1');
    expect(formatIpv6(bytes([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1]))).toBe('2001:db8:0:1::1');
    expect(formatIpv6(bytes([0x2001, 0, 0, 1, 0, 0, 1, 1]))).toBe('2001::1:0:0:1:1');
    expect(formatIpv6(bytes([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(bytes([0, 0, 0, 0, 0, 0, 0, 0]))).toBe('::');
  });

  it('are told apart from the Brotli entries written before by their first byte, which no Brotli stream starts with', () => {
    fc.assert(
      fc.property(events, fc.boolean(), (fields, analytics) => {
        const before = legacySlotEntry({ keyId: 'key_1', userAgent: 'ua', ...fields }, analytics);
        expect(before[0]).not.toBe(COMPACT_ENTRY);
        expect(isCompactEntry(before)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('are read beside entries of the earlier form in one slot item, in sequence order', () => {
    const hourEnd = '2026-03-01T10:59:59.999Z';
    const call = (i: number): UsageLog => ({
      requestId: `req_${i}`,
      keyId: 'key_1',
      product: 'echo',
      method: 'POST',
      path: `/orders/${i}`,
      status: 201,
      outcome: 'ok',
      priceMicroCredits: 1_000,
      latencyMs: 12.5,
      ...(i % 2 ? { upstreamLatencyMs: 9 } : {}),
      requestBytes: 3,
      responseBytes: 80,
      ip: i % 2 ? '198.51.100.7' : '2001:db8::7',
      userAgent: 'python-requests/2.32.3',
      at: new Date(Date.parse('2026-03-01T10:00:00Z') + i * 61_000).toISOString(),
    });
    const calls = [0, 1, 2, 3].map(call);
    const item = {
      pk: 'ACCOUNT#acc_1',
      sk: `M#${hourEnd}#Z3_AbCdEf12`,
      k: 'key_1',
      u: 'python-requests/2.32.3',
      // Two written before the compact form, two after.
      c0: legacySlotEntry(calls[0]!, true),
      c1: encodeSlotEntry(calls[1]!, false),
      c2: encodeSlotEntry(calls[2]!, true),
      c3: legacySlotEntry(calls[3]!, false),
      n: 4,
      b: 0,
    };
    // Slot 3 holds sequence numbers 24–31: each entry names its own.
    expect(callsOfItem(item)).toEqual(calls.map((log, i) => ({ log, analytics: i === 0 || i === 2, seq: 24 + i })));
  });
});

describe("a slot's clients", () => {
  // Key ids of the usage schema (1–100 characters, any text) and user agents of up to 512 characters, as headers carry them.
  const keyIds = fc.string({ minLength: 1, maxLength: 100, unit: 'binary' });
  const agents = fc.string({
    maxLength: 512,
    unit: fc.oneof(
      fc.constant('x'),
      fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
    ),
  });

  it('give back the key id and the agent, held or named by its id, and the two forms are never mistaken for each other', () => {
    fc.assert(
      fc.property(keyIds, agents, (keyId, userAgent) => {
        const held = encodeInlineClient(keyId, userAgent);
        const named = encodeClient(keyId, agentIdOf(userAgent));
        expect(decodeClient(held)).toEqual({ keyId, agentId: agentIdOf(userAgent), userAgent });
        expect(decodeClient(named)).toEqual({ keyId, agentId: agentIdOf(userAgent) });
        expect(held[0]).toBe(0);
        expect(named[0]).not.toBe(0);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuse a client without a key id, and bytes past a client', () => {
    expect(() => encodeInlineClient('', 'curl/8.5.0')).toThrow();
    expect(() => encodeClient('', agentIdOf('curl/8.5.0'))).toThrow();
    expect(() => decodeClient(Uint8Array.from([...encodeInlineClient('key_1', 'curl/8.5.0'), 1]))).toThrow(/trailing/);
  });
});
