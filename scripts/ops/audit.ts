import * as fs from 'node:fs';
import * as os from 'node:os';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDbAuditTrail } from '../../lambdas/shared/adapters/dynamodb-audit';
import { scanPages } from '../../lambdas/shared/dynamodb-query';
import {
  type AuditAction,
  type AuditActor,
  type AuditEvent,
  type AuditEventInput,
  type AuditTarget,
  type AuditTrail,
  type ChainBreak,
  type ChainReport,
  DEFAULT_AUDIT_RETENTION_DAYS,
  streamEvents,
  verifyChain,
} from '../../lambdas/shared/audit';
import { accountByEmail, Command, progress, pseudonymiserOf, stageOption, UsageError, withResources } from './program';
import type { Resources } from './resources';

type StageOptions = { stage: 'local' | 'dev' | 'prod' };

/**
 * What each ops command writes to the audit trail: its action, or why it changes nothing. A test walks
 * the program's commands and fails on one missing here, and on an action no `recordOps` call writes.
 */
export const OPS_AUDIT: Record<string, AuditAction | AuditAction[] | { readOnly: string }> = {
  'grant-credits': 'credits.grant',
  'credits adjust': 'credits.adjust',
  balance: { readOnly: 'reads a balance' },
  'accounts find': { readOnly: 'finds an account' },
  'accounts show': { readOnly: 'shows an account' },
  'set-plan': 'plan.set',
  'stripe-event': 'stripe.event_sent',
  reconcile: { readOnly: "reads ledgers, usage and Stripe's records of payments" },
  'privacy list': { readOnly: 'lists requests' },
  'privacy show': { readOnly: 'shows a request' },
  'privacy extend': 'privacy.extend',
  'privacy retry': 'privacy.retry',
  'privacy start-now': 'privacy.start_now',
  'privacy classify': 'privacy.classify',
  'privacy pseudonyms': { readOnly: 'looks records up' },
  'legal-hold': ['legal_hold.set', 'legal_hold.clear'],
  suspend: 'account.suspend',
  unsuspend: 'account.unsuspend',
  'replay-unqueued': 'usage.replay',
  'usage retention': 'usage.retention',
  'audit verify': { readOnly: 'verifies the chains' },
  'audit list': { readOnly: 'lists events' },
  'audit export': { readOnly: 'exports events' },
  'tickets list': { readOnly: 'lists tickets' },
  'tickets show': { readOnly: 'shows a ticket' },
  'tickets reply': 'ticket.reply',
  'tickets close': 'ticket.close',
  'notice send': 'notice.send',
  'notice resume': 'notice.resume',
  'notice status': { readOnly: "follows a notice's progress" },
  'notice list': { readOnly: 'lists notices' },
};

/** Who runs the command: the cloud identity for a deployed stage, the OS user locally. */
export async function operator(resources: Resources): Promise<AuditActor> {
  if (resources.stage === 'local') return { type: 'operator', id: `local:${os.userInfo().username}`, via: 'cli' };
  const sts = new STSClient({});
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    return { type: 'operator', id: Arn ?? 'unknown', via: 'cli' };
  } finally {
    sts.destroy();
  }
}

/** The trail with the stage's retention (its stack output), so operators' events expire like the functions'. */
const trailOf = (resources: Resources) => {
  const days = Number(resources.outputs.AuditRetentionDays);
  return new DynamoDbAuditTrail(
    resources.dynamo,
    resources.tables.auditEvents,
    Number.isInteger(days) && days > 0 ? days : DEFAULT_AUDIT_RETENTION_DAYS,
  );
};

/** Writes an operator's action to the audit trail: after it succeeded, with its targets, reason and change. */
export async function recordOps(
  resources: Resources,
  event: { action: AuditAction; targets: AuditTarget[]; reason?: string; change?: AuditEventInput['change'] },
): Promise<AuditEvent> {
  return trailOf(resources).record({
    ...event,
    actor: await operator(resources),
    context: { userAgent: `omnapi-ops (${os.hostname()})` },
    at: new Date().toISOString(),
  });
}

/** Every stream in the table (a scan of the stream heads' keys, for verify and unfiltered lists). */
async function streams(resources: Resources): Promise<string[]> {
  const found = new Set<string>();
  for await (const item of scanPages(resources.dynamo, { TableName: resources.tables.auditEvents, ProjectionExpression: 'pk' }))
    found.add(String(item.pk).replace(/^STREAM#/, ''));
  return [...found].sort();
}

/** What each kind of break means, for the operator reading the report. */
const BREAK_WORDS: Record<ChainBreak['problem'], string> = {
  hash: 'the event was altered',
  link: 'it does not follow the event before it',
  gap: 'events are missing before it',
  truncated: 'the events before it were deleted while their retention still kept them',
};

/** A stream's events, oldest first. */
async function eventsOf(trail: AuditTrail, stream: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const event of streamEvents(trail, stream)) events.push(event);
  return events;
}

/**
 * Verifies one stream. An account's stream whose start is gone is read again beside the streams its
 * pseudonyms name (every key version): an erasure moving it now has put its oldest events there, and
 * that is a state to report, not a break.
 */
export async function verifyStream(
  trail: AuditTrail,
  stream: string,
  pseudonymsOf: (accountId: string) => Promise<string[]>,
  now: Date = new Date(),
): Promise<ChainReport> {
  const events = await eventsOf(trail, stream);
  const report = verifyChain(events, now);
  const accountId = /^account#(.+)$/.exec(stream)?.[1];
  if (report.firstBreak?.problem !== 'truncated' || !accountId) return report;
  for (const pseudonym of await pseudonymsOf(accountId)) {
    const moved = await eventsOf(trail, `pseudonym#${pseudonym}`);
    if (moved.length === 0) continue;
    const again = verifyChain(events, now, moved);
    if (again.moving) return again;
  }
  return report;
}

const verify = new Command('verify')
  .description('Walks every stream (or one) and reports the first event altered, removed or out of place; exits 1 on any break')
  .option('--stream <stream>', 'one stream: account#<id>, ops or pseudonym#<psn>')
  .addOption(stageOption())
  .action(async (options: StageOptions & { stream?: string }) => {
    await withResources(options.stage, async (resources) => {
      const trail = trailOf(resources);
      const pseudonymiser = pseudonymiserOf(resources);
      const pseudonymsOf = (accountId: string) => pseudonymiser.every('account', accountId);
      const report = progress('events verified');
      let total = 0;
      let broken = 0;
      let moving = 0;
      for (const stream of options.stream ? [options.stream] : await streams(resources)) {
        const { checked, firstBreak, moving: move } = await verifyStream(trail, stream, pseudonymsOf);
        total += checked;
        report(total);
        if (firstBreak) {
          broken++;
          console.log(`BREAK in ${stream} at seq ${firstBreak.seq} (${firstBreak.eventId}): ${BREAK_WORDS[firstBreak.problem]}`);
        } else if (move) {
          moving++;
          console.log(
            `MOVING ${stream}: an erasure is moving it under ${move.to} (events 1–${move.movedThrough} moved so far, each copy chained to the original it replaces); not a break — verify again once the erasure is done`,
          );
        }
      }
      report(total, total);
      const movingNote = moving ? `; ${moving} stream(s) being moved by an erasure` : '';
      console.log(
        broken
          ? `${broken} stream(s) broken; ${total} event(s) verified before the breaks${movingNote}`
          : `Every chain holds: ${total} event(s) verified${movingNote}`,
      );
      if (broken) process.exitCode = 1;
    });
  });

/** The events matching the filters, oldest first per stream. */
async function* matching(
  resources: Resources,
  options: { email?: string; accountId?: string; action?: string; since?: string },
): AsyncGenerator<AuditEvent> {
  if (options.since !== undefined && Number.isNaN(Date.parse(options.since)))
    throw new UsageError('--since takes a date or time, e.g. 2026-12-01');
  const accountId = options.accountId ?? (options.email ? (await accountByEmail(resources, options.email)).accountId : undefined);
  const trail = trailOf(resources);
  for (const stream of accountId ? [`account#${accountId}`] : await streams(resources)) {
    for await (const event of streamEvents(trail, stream)) {
      if (options.action && event.action !== options.action) continue;
      if (options.since && event.at < new Date(options.since).toISOString()) continue;
      yield event;
    }
  }
}

const filters = (command: Command) =>
  command
    .option('--email <email>', "the account's stream")
    .option('--account-id <id>', "the account's stream, by id")
    .option('--action <action>', 'only this action, e.g. credits.grant')
    .option('--since <date>', 'only events at or after this time')
    .addOption(stageOption());

const list = filters(new Command('list').description('Audit events, oldest first per stream: time, actor, action, targets, reason')).action(
  async (options: StageOptions & { email?: string; accountId?: string; action?: string; since?: string }) => {
    await withResources(options.stage, async (resources) => {
      let count = 0;
      for await (const e of matching(resources, options)) {
        count++;
        console.log(
          `${e.at}  ${e.stream}#${e.seq}  ${e.actor.type}:${e.actor.id}  ${e.action}  ${e.targets.map((t) => `${t.type}:${t.id}`).join(' ')}${e.reason ? `  — ${e.reason}` : ''}`,
        );
      }
      console.log(`${count} event(s)`);
    });
  },
);

const exportEvents = filters(
  new Command('export')
    .description('Audit events as JSON lines (hash and chain fields included), to a file or stdout')
    .option('--out <file>', 'write here instead of stdout'),
).action(async (options: StageOptions & { email?: string; accountId?: string; action?: string; since?: string; out?: string }) => {
  await withResources(options.stage, async (resources) => {
    const out = options.out ? fs.createWriteStream(options.out) : process.stdout;
    const report = progress('events exported');
    let count = 0;
    for await (const event of matching(resources, options)) {
      out.write(`${JSON.stringify(event)}\n`);
      report(++count);
    }
    report(count, count);
    if (options.out) await new Promise((resolve) => (out as fs.WriteStream).end(resolve));
  });
});

export const audit = new Command('audit')
  .description('The audit trail: verify its chains, list and export events')
  .addCommand(verify)
  .addCommand(list)
  .addCommand(exportEvents);
