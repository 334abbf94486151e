import { Command, CommanderError, Option } from 'commander';
import { DynamoDbAccountStore } from '../../lambdas/accounts/adapters/dynamodb-stores';
import { normaliseEmail } from '../../lambdas/shared/email-address';
import type { Account } from '../../lambdas/accounts/domain/model';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSecretString } from '../../lambdas/shared/adapters/secrets';
import { HmacPseudonymiser } from '../../lambdas/shared/pseudonyms';
import { type Resources, resourcesFor, type Stage } from './resources';

/** Raised for a usage mistake: exit code 2, no stack. */
export class UsageError extends Error {}

/** The `--stage` option every command takes. */
export const stageOption = () =>
  new Option('--stage <stage>', 'local: the platform npm start runs; dev|prod: the deployed stack, with your AWS credentials')
    .choices(['local', 'dev', 'prod'])
    .default('local');

/** Runs `work` with the stage's resources, closing its clients after. */
export async function withResources<T>(stage: Stage, work: (resources: Resources) => Promise<T>): Promise<T> {
  const resources = await resourcesFor(stage);
  try {
    return await work(resources);
  } finally {
    resources.close();
  }
}

/** The account with this email, or a clear error. */
export async function accountByEmail(resources: Resources, email: string): Promise<Account> {
  const account = await new DynamoDbAccountStore(resources.dynamo, resources.tables.accounts).findByEmail(normaliseEmail(email));
  if (!account) throw new UsageError(`No account with email ${email}`);
  return account;
}

/** The stage's keyed pseudonyms: the local runtime's key file under its data folder, or the stage's secret. */
export function pseudonymiserOf(resources: Resources): HmacPseudonymiser {
  return new HmacPseudonymiser(
    resources.stage === 'local'
      ? async () => fs.readFileSync(path.resolve(process.env.OMNAPI_DATA_DIR ?? '.omnapi', 'pseudonym-keys.json'), 'utf8')
      : async () => readSecretString(resources.outputs.PseudonymKeysArn ?? ''),
  );
}

/** Prints a progress line that rewrites itself on a terminal, and plain lines otherwise. */
export function progress(label: string): (done: number, total?: number) => void {
  let last = Date.now(); // the first line after half a second: a quick run prints only its total
  return (done, total) => {
    const now = Date.now();
    if (now - last < 500 && done !== total) return;
    last = now;
    const line = `${label}: ${done}${total ? `/${total}` : ''}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
    else process.stderr.write(`${line}\n`);
    if (done === total && process.stderr.isTTY) process.stderr.write('\n');
  };
}

/** Parses argv and runs the command; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function run(program: Command, argv: string[]): Promise<number> {
  program.exitOverride().showHelpAfterError('(add --help for usage)');
  for (const command of program.commands) command.exitOverride().showHelpAfterError();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : 2;
    }
    if (error instanceof UsageError) {
      console.error(`ops: ${error.message}`);
      return 2;
    }
    console.error(`ops: ${(error as Error).message}`);
    return 1;
  }
}

export { Command, Option };
