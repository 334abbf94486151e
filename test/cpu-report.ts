// Opt-in (JEST_CPU_REPORT=<file>): appends one line per test file with the CPU the jest worker and every
// process it started and reaped (runtimes, ops commands, Chromium) spent on it, so files can be compared
// on a shared machine whose load changes their wall time.
import * as fs from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime + cutime + cstime of this process, in seconds (Linux /proc; 0 elsewhere). */
function cpuSeconds(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3, so utime, stime, cutime, cstime (fields 14–17) are at 11–14.
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

const report = process.env.JEST_CPU_REPORT;
if (report) {
  // Read as this file loads, before the test file and its imports are: their loading counts too.
  const cpuAtStart = cpuSeconds();
  const wallAtStart = Date.now();
  afterAll(() => {
    const file = expect.getState().testPath ?? 'unknown';
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    fs.appendFileSync(
      report,
      `${JSON.stringify({ file, cpu: +(cpuSeconds() - cpuAtStart).toFixed(2), wall: (Date.now() - wallAtStart) / 1000, load: Number(load) })}\n`,
    );
  });
}
