import * as fs from 'node:fs';
import * as path from 'node:path';

/** How often a waiter looks at the lock again. */
const POLL_MS = 100;
/** A lock older than this is taken over whoever holds it (a holder whose pid was reused by another process). */
const STALE_MS = 15 * 60_000;
/** A lock without its holder's pid yet is being taken right now, unless it is older than this. */
const UNNAMED_GRACE_MS = 5_000;

/**
 * Runs `work` holding the lock `lock` (a directory beside what it guards), so that runtimes started at
 * once — e2e files run side by side, each starting its own — build a shared cache entry (bundles, a
 * template, the console) once: the first builds it, the others wait, then find it built. A lock whose
 * holder died is taken over. At worst (two waiters taking over one dead holder's lock at the same
 * moment) two build the same entry, as every runtime did before: the caches are written atomically.
 */
export async function withBuildLock<T>(lock: string, work: () => Promise<T>, onWait?: () => void): Promise<T> {
  let waited = false;
  while (!tryTake(lock)) {
    if (!waited) onWait?.();
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await work();
  } finally {
    release(lock);
  }
}

/** `withBuildLock` for synchronous work (the synthesis): the wait blocks, as the work would. */
export function withBuildLockSync<T>(lock: string, work: () => T, onWait?: () => void): T {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let waited = false;
  while (!tryTake(lock)) {
    if (!waited) onWait?.();
    waited = true;
    Atomics.wait(sleeper, 0, 0, POLL_MS);
  }
  try {
    return work();
  } finally {
    release(lock);
  }
}

/** Creates the lock directory (atomic: one creator wins) with this process's pid in it; false when another holds it. */
function tryTake(lock: string): boolean {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  try {
    fs.mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (abandoned(lock)) fs.rmSync(lock, { recursive: true, force: true });
    return false;
  }
  fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
  return true;
}

function abandoned(lock: string): boolean {
  let age: number;
  try {
    age = Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return false; // Released meanwhile: the next try takes it.
  }
  if (age > STALE_MS) return true;
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return age > UNNAMED_GRACE_MS;
  }
  if (!Number.isInteger(pid) || pid <= 0) return age > UNNAMED_GRACE_MS;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function release(lock: string): void {
  fs.rmSync(lock, { recursive: true, force: true });
}
