import { program } from './commands';
import { run } from './program';

run(program, process.argv.slice(2)).then((code) => process.exit(code));
