/** Port: fixed-window counters for throttles, counted atomically. */
export interface WindowCounter {
  count(key: string, windowStart: number): Promise<number>;
  /** Adds one atomically and returns the new count; the counter expires (TTL) at `expiresAt`. */
  increment(key: string, windowStart: number, expiresAt: number): Promise<number>;
  /** Takes one back (a reserved attempt that turned out not to count); never below zero. */
  release(key: string, windowStart: number): Promise<void>;
  /** Starts the window's count again from zero. */
  reset(key: string, windowStart: number): Promise<void>;
}

/** The fixed window of `seconds` that `now` falls in, in epoch seconds. */
export function fixedWindow(now: Date, seconds: number): { start: number; end: number } {
  const start = Math.floor(now.getTime() / 1000 / seconds) * seconds;
  return { start, end: start + seconds };
}

/**
 * The network a per-address throttle counts `ip` under: an IPv4 address itself (an IPv4-mapped IPv6 one
 * too), and for IPv6 its /64 — the prefix one host or home is handed, whose 2^64 addresses are one
 * attacker's to rotate through, so counting each alone would be no limit at all. Anything else (not an
 * address) is counted as it is.
 */
export function throttleNetwork(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/%.*$/, '');
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  // ::ffff:a.b.c.d is the IPv4 host a dual-stack listener saw.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail expanded), or undefined when it is none. */
function ipv6Groups(address: string): number[] | undefined {
  const ipv4Tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  let text = address;
  if (ipv4Tail) {
    const octets = ipv4Tail.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    text = `${address.slice(0, ipv4Tail.index)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part ? part.split(':') : []);
  const [head, tail] = [parse(halves[0]!), parse(halves[1] ?? '')];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16));
}
