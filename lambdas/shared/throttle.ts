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
