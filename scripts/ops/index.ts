import { opsProgram } from './commands';
import { run } from './program';

const argv = process.argv.slice(2);
run(opsProgram(argv), argv).then((code) => process.exit(code));
