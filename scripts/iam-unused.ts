import * as fs from 'node:fs';
import * as path from 'node:path';
import { deriveModel, synthesizeTemplate } from '../local/assembly';
import { type IamRecord, LocalIam } from '../local/iam';

/**
 * `npm run iam:unused [report folder]`: after an e2e run (or `npm start` sessions), every permission a
 * role of the template holds that no call of those runs used, and every call IAM refused (or, in
 * LOCAL_IAM=soft, would have refused). Reads the decision files the runtime writes on stop to
 * OMNAPI_IAM_REPORT_DIR (the e2e helper sets `.omnapi/iam-report`) and `<data dir>/iam-usage.json`.
 */

/** Services the local runtime does not emulate: their grants cannot be exercised here. */
const NOT_EMULATED = new Set(['logs', 'xray']);

function main(): void {
  const folder = path.resolve(process.argv[2] ?? path.join('.omnapi', 'iam-report'));
  const files = [
    ...(fs.existsSync(folder)
      ? fs
          .readdirSync(folder)
          .filter((f) => f.endsWith('.json'))
          .map((f) => path.join(folder, f))
      : []),
    ...(fs.existsSync(path.join('.omnapi', 'iam-usage.json')) ? [path.join('.omnapi', 'iam-usage.json')] : []),
  ];
  if (files.length === 0) {
    console.error(`No IAM decisions found in ${folder}: run the e2e tests (npm run test:e2e) or npm start first.`);
    process.exit(1);
  }
  const records: IamRecord[] = files.flatMap((file) => (JSON.parse(fs.readFileSync(file, 'utf8')) as { records: IamRecord[] }).records);
  const template = synthesizeTemplate({
    localPseudonymKeys: JSON.stringify({ current: 1, k1: 'a'.repeat(43) }),
    localNoticeLinkKeys: JSON.stringify({ current: 1, k1: 'b'.repeat(43) }),
  });
  const model = deriveModel(template, { aws: 'http://127.0.0.1:4566', api: 'http://localhost:3000' });
  const iam = new LocalIam(template, model.resolver, 'enforce');

  const allowedBy = new Map<string, IamRecord[]>();
  for (const record of records.filter((r) => r.allowed))
    allowedBy.set(record.principal, [...(allowedBy.get(record.principal) ?? []), record]);

  console.log(`IAM decisions from ${files.length} run(s), ${records.length} distinct calls.\n`);
  let unusedCount = 0;
  for (const role of [...iam.roles.values()].sort((a, b) => a.logicalId.localeCompare(b.logicalId))) {
    const used = allowedBy.get(role.logicalId) ?? [];
    const unused: string[] = [];
    const notEmulated = new Set<string>();
    for (const { policy } of role.policies) {
      for (const statement of policy.Statement) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of list(statement.Action)) {
          const service = action.split(':')[0]!;
          if (NOT_EMULATED.has(service)) {
            notEmulated.add(service);
            continue;
          }
          for (const resource of list(statement.Resource)) {
            if (!used.some((r) => glob(action, r.action) && glob(resource, r.resource))) unused.push(`${action} on ${resource}`);
          }
        }
      }
    }
    unusedCount += unused.length;
    const header = `${role.logicalId}${used.length === 0 ? ' (no call recorded)' : ''}`;
    if (unused.length === 0) {
      console.log(`${header}: every permission used${notEmulated.size ? ` (not checked locally: ${[...notEmulated].join(', ')})` : ''}`);
      continue;
    }
    console.log(`${header}: ${unused.length} unused${notEmulated.size ? ` (not checked locally: ${[...notEmulated].join(', ')})` : ''}`);
    for (const line of unused) console.log(`  - ${line}`);
  }
  const denied = records.filter((r) => !r.allowed);
  console.log(`\n${unusedCount} unused permission(s).`);
  console.log(denied.length ? `\nDenied (enforced, or logged in LOCAL_IAM=soft): ${denied.length}` : '\nNo call was denied.');
  for (const record of denied) console.log(`  - ${record.principal}: ${record.action} on ${record.resource} — ${record.reason}`);
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM's wildcard match (`*`, `?`), case-insensitive for actions as IAM is. */
function glob(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(value);
}

main();
