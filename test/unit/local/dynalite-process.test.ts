import { pbkdf2 } from 'node:crypto';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startDynaliteProcess } from '../../../local/dynalite-process';

/** Eight password-hash-sized jobs on this process's thread pool (four threads): resolves with when the first one finished. */
function busyThreadPool(): { firstDone: Promise<number>; allDone: Promise<void> } {
  const jobs = Array.from(
    { length: 8 },
    () => new Promise<number>((resolve) => pbkdf2('password', 'salt', 300_000, 64, 'sha512', () => resolve(performance.now()))),
  );
  return { firstDone: Promise.race(jobs), allDone: Promise.all(jobs).then(() => undefined) };
}

async function answeredAt(endpoint: string): Promise<number> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    await client.send(new ListTablesCommand({}));
    return performance.now();
  } finally {
    client.destroy();
  }
}

/** The local DynamoDB store keeps answering while the functions hash passwords (they share the runtime's thread pool). */
describe('the local DynamoDB store in its own process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-dynalite-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers while every thread of the runtime is hashing, before any hash is done', async () => {
    const store = await startDynaliteProcess(path.join(dir, 'own'), () => undefined);
    try {
      await answeredAt(store.url);
      const pool = busyThreadPool();
      const answered = await answeredAt(store.url);
      expect(answered).toBeLessThan(await pool.firstDone);
      await pool.allDone;
    } finally {
      await store.stop();
    }
  }, 60_000);

  it('(the cause) in the runtime process, the same call waits for a password hash to free a thread', async () => {
    const server = dynalite({ path: path.join(dir, 'shared'), createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await answeredAt(url);
      const pool = busyThreadPool();
      const answered = await answeredAt(url);
      expect(answered).toBeGreaterThan(await pool.firstDone);
      await pool.allDone;
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);

  it('stops with the runtime', async () => {
    const store = await startDynaliteProcess(path.join(dir, 'stopped'), () => undefined);
    await store.stop();
    await expect(answeredAt(store.url)).rejects.toThrow();
  }, 60_000);
});
