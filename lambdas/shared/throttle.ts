/** Port: fixed-window counters for throttles, counted atomically. */
export interface WindowCounter {
  count(key: string, windowStart: number): Promise<number>;
  /** Adds one atomically and returns the new count; the counter expires (TTL) at `expiresAt`. */
  increment(key: string, windowStart: number, expiresAt: number): Promise<number>;
}

/** The fixed window of `seconds` that `now` falls in, in epoch seconds. */
export function fixedWindow(now: Date, seconds: number): { start: number; end: number } {
  const start = Math.floor(now.getTime() / 1000 / seconds) * seconds;
  return { start, end: start + seconds };
}
