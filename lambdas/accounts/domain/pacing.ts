/** Port: a monotonic clock in milliseconds and a way to wait, so an answer's pace is testable in virtual time. */
export interface Pacing {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTime: Pacing = { now: () => performance.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * The least time an answer that must not tell whether an address has an account takes (a password
 * reset, a resent verification, the writes and mail of a sign-up): the path that finds one writes a
 * link and mails it (~100 ms more than the one that finds none, measured locally 133 ms against
 * 33 ms), so both answer at this floor.
 */
export const UNIFORM_ANSWER_MS = 500;

/**
 * Runs `work` and answers no sooner than `floorMs` after it began, so how long the work took (which
 * may depend on what exists) is not visible. A refusal (validation, throttling) is thrown at once: it
 * does not depend on the address having an account.
 */
export async function noSoonerThan<T>(floorMs: number, work: () => Promise<T>, time: Pacing = realTime): Promise<T> {
  const started = time.now();
  const result = await work();
  const left = floorMs - (time.now() - started);
  if (left > 0) await time.sleep(left);
  return result;
}
