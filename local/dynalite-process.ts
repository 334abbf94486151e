import { spawn } from 'node:child_process';

/** What the child runs: dynalite on a free loopback port, reported to the parent; it ends with its parent. */
const CHILD = `
const server = require(process.argv[1])({ path: process.argv[2], createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => server.close(() => process.exit(0)));
`;

/** How long a stopped store may take to close before it is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * dynalite in a process of its own. Its LevelDB store does its reads and writes on libuv's thread
 * pool (four threads a process), which in the runtime's process the functions' password hashing also
 * uses: a few sign-ins or sign-ups at once (scrypt, ~1 s of a thread each) held every thread, every
 * DynamoDB call of every function waited behind them, and requests that touch no password timed out
 * (sign-up verifications at 10 s, 500s). DynamoDB is a service of its own on AWS; here it gets its
 * own process, its own thread pool and, on a machine with two cores, the other one.
 */
export function startDynaliteProcess(dataPath: string, log: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', CHILD, require.resolve('dynalite'), dataPath], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
    await exited;
    clearTimeout(force);
  };
  return new Promise((resolve, reject) => {
    child.once('message', (port) => {
      child.on('exit', (code, signal) => {
        if (!stopping)
          log(`the local DynamoDB store (dynalite) stopped unexpectedly (${signal ?? `exit ${code}`}): DynamoDB calls now fail`);
      });
      resolve({ url: `http://127.0.0.1:${Number(port)}`, stop });
    });
    child.once('exit', (code, signal) => reject(new Error(`dynalite did not start (${signal ?? `exit ${code}`})`)));
    child.once('error', reject);
  });
}
