import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalFunction } from '../../../local/assembly';
import { LocalFunctions } from '../../../local/functions';

const busy: LocalFunction = {
  logicalId: 'Busy',
  name: 'busy',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:busy',
  entry: 'test/fixtures/local/busy-handler.ts',
  besideBundle: [],
  handlerExport: 'handler',
  environment: {},
  // Three seconds: a burst's 24 invocations of 160 ms one after another in one shared clock would take 3.84 s.
  timeoutSeconds: 3,
  memoryMb: 128,
};

/**
 * Lambda runs each concurrent invocation in an environment of its own; the local runtime runs them
 * all in one process. A burst must not slow each invocation by the size of the burst and time it out.
 */
describe('local functions under a burst', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-functions-'));
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it("runs a burst of 24 invocations, each needing 160 ms of the CPU, within a 3 s timeout, less than the burst's sum", async () => {
    const functions = new LocalFunctions(new Map([[busy.logicalId, busy]]), { cacheDir, concurrency: 2 });
    await functions.coldStart(busy.logicalId);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, () => functions.invoke(busy.logicalId, { slices: 4, sliceMs: 40 })),
    );
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    expect(functions.stats.get(busy.logicalId)?.invocations).toBe(24);
  }, 60_000);

  it('still enforces the timeout on an invocation that runs too long itself', async () => {
    const functions = new LocalFunctions(new Map([[busy.logicalId, busy]]), { cacheDir, concurrency: 2 });
    await expect(functions.invoke(busy.logicalId, { slices: 80, sliceMs: 50 })).rejects.toMatchObject({ name: 'FunctionTimeoutError' });
  }, 60_000);
});
