import fc from 'fast-check';
import { throttleNetwork } from '../../../lambdas/shared/throttle';

describe('throttleNetwork', () => {
  it('counts IPv4 by address, an IPv4-mapped IPv6 address as its IPv4 host, and IPv6 by its /64', () => {
    expect(throttleNetwork('203.0.113.9')).toBe('203.0.113.9');
    expect(throttleNetwork('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(throttleNetwork('::FFFF:cb00:7109')).toBe('203.0.113.9');
    expect(throttleNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleNetwork('2001:0db8:0000:0000:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:0::/64');
    expect(throttleNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(throttleNetwork('::1')).toBe('0:0:0:0::/64');
    // Not an address: counted as given, never thrown on.
    for (const odd of ['unknown', '1:2:3', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9']) expect(throttleNetwork(odd)).toBe(odd);
  });

  it('gives every address of one /64 the same key, however it is written, and two /64s two keys', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.boolean(), (groups, upper) => {
        // The IPv4-mapped range is counted per IPv4 host instead (above).
        fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff));
        const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        const short = groups.map((g) => g.toString(16)).join(':');
        const key = throttleNetwork(upper ? full.toUpperCase() : full);
        expect(throttleNetwork(short)).toBe(key);
        expect(throttleNetwork([...groups.slice(0, 4), 1, 2, 3, 4].map((g) => g.toString(16)).join(':'))).toBe(key);
        const other = [...groups.slice(0, 3), (groups[3]! + 1) % 0x10000, ...groups.slice(4)];
        expect(throttleNetwork(other.map((g) => g.toString(16)).join(':'))).not.toBe(key);
      }),
    );
  });
});
