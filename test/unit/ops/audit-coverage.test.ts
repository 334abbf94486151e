import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { OPS_AUDIT } from '../../../scripts/ops/audit';
import { opsProgram } from '../../../scripts/ops/commands';

const program = opsProgram();

/** Every command that runs (a leaf), by its path under `ops`. */
function leaves(command: Command, prefix = ''): string[] {
  return command.commands.flatMap((c) => (c.commands.length ? leaves(c, `${prefix}${c.name()} `) : [`${prefix}${c.name()}`]));
}

const opsSources = fs
  .readdirSync(path.join(__dirname, '../../../scripts/ops'))
  .filter((f) => f.endsWith('.ts') && f !== 'audit.ts')
  .map((f) => fs.readFileSync(path.join(__dirname, '../../../scripts/ops', f), 'utf8'))
  .join('\n');

describe('the ops commands and the audit trail', () => {
  it.each(leaves(program))('ops %s says what it writes to the audit trail, or why it changes nothing', (name) => {
    expect(OPS_AUDIT).toHaveProperty([name]);
  });

  it.each(Object.entries(OPS_AUDIT).filter(([, v]) => typeof v === 'string' || Array.isArray(v)))(
    'ops %s records its action through recordOps',
    (_name, actions) => {
      for (const action of [actions].flat() as string[]) {
        expect({ action, recorded: new RegExp(`recordOps\\([^;]*'${action.replace('.', '\\.')}'`, 's').test(opsSources) }).toEqual({
          action,
          recorded: true,
        });
      }
    },
  );

  it('names no command that does not exist', () => {
    expect(Object.keys(OPS_AUDIT).sort()).toEqual(leaves(program).sort());
  });

  it('a run loads the command it names, and every command when it names none it knows', () => {
    expect(opsProgram(['grant-credits', '--email', 'ann@example.org', '--credits', '5']).commands.map((c) => c.name())).toEqual([
      'grant-credits',
    ]);
    expect(opsProgram(['legal-hold', 'set']).commands.map((c) => c.name())).toEqual(['legal-hold']);
    expect(opsProgram(['--help']).commands.map((c) => c.name())).toEqual(program.commands.map((c) => c.name()));
    expect(opsProgram(['no-such-command']).commands).toHaveLength(program.commands.length);
  });
});
