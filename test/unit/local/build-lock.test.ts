import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withBuildLock, withBuildLockSync } from '../../../local/build-lock';

describe('the build lock of the local caches', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-build-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs one holder at a time; the others wait their turn, then run', async () => {
    const lock = path.join(dir, '.lock');
    const held: string[] = [];
    let holders = 0;
    const waits: string[] = [];
    const work = (name: string) =>
      withBuildLock(
        lock,
        async () => {
          holders += 1;
          expect(holders).toBe(1);
          await new Promise((resolve) => setTimeout(resolve, 150));
          held.push(name);
          holders -= 1;
        },
        () => waits.push(name),
      );
    await Promise.all([work('a'), work('b'), work('c')]);
    expect(held.sort()).toEqual(['a', 'b', 'c']);
    expect(waits.sort()).toEqual(['b', 'c']);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('releases the lock when the work throws', async () => {
    const lock = path.join(dir, '.lock');
    await expect(withBuildLock(lock, async () => Promise.reject(new Error('esbuild failed')))).rejects.toThrow('esbuild failed');
    expect(withBuildLockSync(lock, () => 'next')).toBe('next');
  });

  it('takes over a lock whose holder died without releasing it', () => {
    const lock = path.join(dir, '.lock');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), String(dead));
    expect(withBuildLockSync(lock, () => 'built')).toBe('built');
  });
});
