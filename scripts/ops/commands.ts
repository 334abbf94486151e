import { Command } from 'commander';

type Module<T> = () => T;
/** A command of its own module, required only when asked for. */
const from =
  <M, K extends keyof M>(load: Module<M>, name: K): Module<Command> =>
  () =>
    load()[name] as Command;

/**
 * Every command by its name, in the order `--help` lists them, each loaded from its own file under
 * scripts/ops/ only when asked for: a run loads the one it names, not every command's clients and
 * domain code (the e2e tests run the CLI ~50 times).
 */
const COMMANDS: Record<string, Module<Command>> = {
  'grant-credits': from(() => require('./grant-credits') as typeof import('./grant-credits'), 'grantCredits'),
  credits: from(() => require('./credits') as typeof import('./credits'), 'credits'),
  balance: from(() => require('./balance') as typeof import('./balance'), 'balance'),
  accounts: from(() => require('./accounts') as typeof import('./accounts'), 'accounts'),
  'set-plan': from(() => require('./set-plan') as typeof import('./set-plan'), 'setPlan'),
  'stripe-event': from(() => require('./stripe-event') as typeof import('./stripe-event'), 'stripeEvent'),
  reconcile: from(() => require('./reconcile') as typeof import('./reconcile'), 'reconcile'),
  privacy: from(() => require('./privacy') as typeof import('./privacy'), 'privacy'),
  'legal-hold': from(() => require('./privacy') as typeof import('./privacy'), 'legalHold'),
  suspend: from(() => require('./suspend') as typeof import('./suspend'), 'suspend'),
  unsuspend: from(() => require('./suspend') as typeof import('./suspend'), 'unsuspend'),
  'replay-unqueued': from(() => require('./replay-unqueued') as typeof import('./replay-unqueued'), 'replayUnqueued'),
  usage: from(() => require('./usage') as typeof import('./usage'), 'usage'),
  audit: from(() => require('./audit') as typeof import('./audit'), 'audit'),
  tickets: from(() => require('./tickets') as typeof import('./tickets'), 'tickets'),
  notice: from(() => require('./notice') as typeof import('./notice'), 'notice'),
};

/**
 * `npm run ops -- <command>`: operators' tools, one file per command under scripts/ops/. With the
 * arguments of a run, the program holds just the command they name; without (or naming none it
 * knows, or asking for the program's help), every command.
 */
export function opsProgram(argv: string[] = []): Command {
  const named = argv.find((arg) => !arg.startsWith('-'));
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  const program = new Command('ops').description(
    'OmnAPI operations. Every command takes --stage local (npm start, the default) or dev|prod (the deployed stack).',
  );
  for (const name of names) {
    const command = COMMANDS[name]!();
    if (command.name() !== name) throw new Error(`ops: the command listed as ${name} is named ${command.name()}`);
    program.addCommand(command);
  }
  return program;
}
