import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../test/helpers/local-process';

/**
 * `npm run bench:startup`: the time `npm start` takes to its ready line with LOCAL_IAM=off and with
 * IAM enforced, alternating, in one run (bundles reused, as on any restart), then the median of each.
 */
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 2);
const ROOT = path.resolve(__dirname, '..');

async function startOnce(mode: string): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-startup-'));
  const env = {
    ...process.env,
    LOCAL_IAM: mode,
    PORT: String(await freePort()),
    SMTP_PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    S3_PORT: String(await freePort()),
    LOCAL_AWS_PORT: String(await freePort()),
    OMNAPI_DATA_DIR: dataDir,
  };
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/start.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ms = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('OmnAPI local ready at')) resolve(performance.now() - started);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  await new Promise<void>((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
  return ms;
}

async function main(): Promise<void> {
  const times: Record<string, number[]> = { off: [], enforce: [] };
  await startOnce('off'); // fills the bundle cache, so both modes start alike
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['off', 'enforce']) {
      const ms = await startOnce(mode);
      times[mode]!.push(ms);
      console.log(`round ${round + 1}, LOCAL_IAM=${mode}: ready in ${(ms / 1000).toFixed(1)} s`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const off = median(times.off!);
  const on = median(times.enforce!);
  console.log(
    `\nmedian ready: off ${(off / 1000).toFixed(1)} s, enforce ${(on / 1000).toFixed(1)} s (${(((on - off) / off) * 100).toFixed(1)} %)`,
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
