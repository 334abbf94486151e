/**
 * Jest's order, longest file first, with one more source of durations. Jest knows each file's duration
 * from its last run on this machine; a fresh clone (CI) has none and runs the files largest first, so a
 * short file of long waits (an e2e runtime's, a 500-call storm's) could start last and run alone while
 * the other workers sit idle. There the durations recorded in test/durations.json decide instead
 * (`npm run test:durations -- <jest --json output>` rewrites it); a file in neither goes first, largest first.
 */
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const RECORD = path.join(__dirname, 'durations.json');

function recorded() {
  try {
    return JSON.parse(fs.readFileSync(RECORD, 'utf8'));
  } catch {
    return {};
  }
}

class LongestFirst extends Sequencer {
  constructor(...args) {
    super(...args);
    this.recorded = recorded();
  }

  time(test) {
    return super.time(test) ?? this.recorded[path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/')];
  }
}

/** `node test/sequencer.js <jest --json output>`: writes each file's duration in milliseconds (as jest keeps them), longest first. */
if (require.main === module) {
  const results = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const root = path.resolve(__dirname, '..');
  const durations = results.testResults
    .map((r) => [path.relative(root, r.name).split(path.sep).join('/'), r.endTime - r.startTime])
    .sort((a, b) => b[1] - a[1]);
  fs.writeFileSync(RECORD, `${JSON.stringify(Object.fromEntries(durations), null, 2)}\n`);
  console.log(`${durations.length} files recorded in ${path.relative(process.cwd(), RECORD)}`);
}

module.exports = LongestFirst;
