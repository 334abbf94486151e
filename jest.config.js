/** One jest config, one project per test tree (unit, infra, e2e). */
const os = require('node:os');
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest'] };
// middy, the OpenAPI validator, commander and FormatJS (intl-messageformat) ship ESM only.
const transformIgnorePatterns = ['node_modules/(?!(@middy|@seriousme|commander|intl-messageformat|@formatjs)/)'];
// middy 7 exports its packages to `import` only; jest resolves as `require`, so it is pointed at each package's entry.
const moduleNameMapper = { '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js' };
const common = {
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // JEST_CPU_REPORT=<file>: each test file's CPU, its child processes' included (test/cpu-report.ts).
  ...(process.env.JEST_CPU_REPORT ? { setupFilesAfterEnv: ['<rootDir>/test/cpu-report.ts'] } : {}),
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
  // Longest first, by jest's record of the last run or, on a fresh clone, test/durations.json (test/sequencer.js).
  testSequencer: '<rootDir>/test/sequencer.js',
  // A bound for a failing test, not a target: a passing one ends when its work is done, on however busy a machine.
  testTimeout: 120_000,
  // Jest's default on two cores is one worker. An e2e file spends much of its time waiting on its runtime
  // (batching windows, schedules, mail): with one worker a core the CPU was idle half the run, so one more.
  maxWorkers: (os.availableParallelism?.() ?? os.cpus().length) + 1,
};
