import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbNoticeStore } from '../../lambdas/notices/adapters/dynamodb-notices';
import { recipientOf } from '../../lambdas/notices/adapters/dynamodb-recipients';
import { exclusionOf, exclusionReason, parseSegment } from '../../lambdas/notices/domain/audience';
import { deliveryKeyOf, type Exclusion, type NoticeJob, type Recipient, type Segment } from '../../lambdas/notices/domain/model';
import { DynamoDbSuppressionList } from '../../lambdas/shared/adapters/dynamodb-suppressions';
import { scanPages } from '../../lambdas/shared/dynamodb-query';
import { NOTICE_TOPIC_NAMES, NOTICE_TOPICS, type NoticeTopic } from '../../lambdas/shared/notice-topics';
import { operator, recordOps } from './audit';
import { Command, Option, progress, stageOption, UsageError, withResources } from './program';
import { plansOf, type Resources } from './resources';

type StageOptions = { stage: 'local' | 'dev' | 'prod' };
const storeOf = (resources: Resources) => new DynamoDbNoticeStore(resources.dynamo, resources.tables.notices);
/** Look-ups of the suppression list at once while the audience is read. */
const PARALLEL = 16;

/** The same notice (topic, segment, subject, text) is one job: sending it again resumes it rather than mailing everyone twice. */
export function noticeIdOf(topic: NoticeTopic, segment: Segment, subject: string, body: string): string {
  return `ntc_${createHash('sha256')
    .update(JSON.stringify([topic, segment, subject, body]))
    .digest('hex')
    .slice(0, 24)}`;
}

interface Audience {
  recipients: Recipient[];
  excluded: Partial<Record<Exclusion, number>>;
}

/** Every account's decision for this notice now (a scan of the account items, with progress). */
async function audienceOf(resources: Resources, topic: NoticeTopic, segment: Segment): Promise<Audience> {
  const suppressions = new DynamoDbSuppressionList(resources.dynamo, resources.tables.suppressions);
  const report = progress('accounts read');
  const audience: Audience = { recipients: [], excluded: {} };
  let read = 0;
  let pending: Recipient[] = [];
  const decide = async (batch: Recipient[]) => {
    const suppressed = await Promise.all(batch.map((r) => (r.emailVerified ? suppressions.isSuppressed(r.email) : Promise.resolve(false))));
    batch.forEach((recipient, i) => {
      const why = exclusionOf(recipient, topic, segment, suppressed[i]!);
      if (why) audience.excluded[why] = (audience.excluded[why] ?? 0) + 1;
      else audience.recipients.push(recipient);
    });
  };
  for await (const item of scanPages(resources.dynamo, {
    TableName: resources.tables.accounts,
    FilterExpression: 'sk = :profile',
    ExpressionAttributeValues: { ':profile': 'PROFILE' },
  })) {
    pending.push(recipientOf(item));
    if (pending.length === PARALLEL) {
      await decide(pending);
      pending = [];
    }
    report(++read);
  }
  await decide(pending);
  report(read, read);
  return audience;
}

/** Puts each recipient on the notices queue, ten to a request, with progress; retries the entries SQS refused. */
async function enqueue(resources: Resources, noticeId: string, recipients: Recipient[]): Promise<void> {
  const url = resources.outputs.QueueNoticesUrl;
  if (!url) throw new Error(`The ${resources.stage} stack has no output QueueNoticesUrl: deploy the current version first`);
  const sqs = new SQSClient(resources.clientConfig);
  const report = progress('recipients queued');
  try {
    for (let i = 0; i < recipients.length; i += 10) {
      let entries = recipients
        .slice(i, i + 10)
        .map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify({ noticeId, accountId: r.accountId }) }));
      for (let attempt = 0; entries.length; attempt++) {
        if (attempt === 5)
          throw new Error(`SQS kept refusing ${entries.length} message(s): run notice resume ${noticeId} to queue the rest`);
        const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
        const failed = new Set((Failed ?? []).map((f) => f.Id));
        entries = entries.filter((e) => failed.has(e.Id));
      }
      report(Math.min(i + 10, recipients.length), recipients.length);
    }
  } finally {
    sqs.destroy();
  }
}

function printAudience(topic: NoticeTopic, audience: Audience): void {
  console.log(
    `${audience.recipients.length} account(s) would receive it${NOTICE_TOPICS[topic].mandatory ? ` (${topic} notices are mandatory: preferences do not apply)` : ''}`,
  );
  for (const [why, count] of Object.entries(audience.excluded) as [Exclusion, number][])
    console.log(`  ${count} not: ${exclusionReason(why, topic)}`);
}

const send = new Command('send')
  .description(
    'Sends a technical notice as a durable job: mandatory topics to every verified account, optional ones where preferences allow; the same notice again resumes its job',
  )
  .addOption(
    new Option('--topic <topic>', 'security, billing, service (mandatory); deprecation, product (optional)')
      .choices(NOTICE_TOPIC_NAMES)
      .makeOptionMandatory(),
  )
  .requiredOption('--subject <subject>', 'the subject line')
  .requiredOption('--body-file <file>', 'the text, UTF-8 (a footer saying why they receive it, or how to stop it, is added)')
  .option('--segment <segment>', 'only some accounts: plan=<plan>')
  .option('--dry-run', 'print how many would receive it and why the others would not; send nothing')
  .addOption(stageOption())
  .action(async (options: StageOptions & { topic: NoticeTopic; subject: string; bodyFile: string; segment?: string; dryRun?: boolean }) => {
    if (!fs.existsSync(options.bodyFile)) throw new UsageError(`No file ${options.bodyFile}`);
    const body = fs.readFileSync(options.bodyFile, 'utf8');
    const subject = options.subject.trim();
    if (!body.trim() || !subject) throw new UsageError('The subject and the text must not be empty');
    if (subject.length > 200 || body.length > 100_000) throw new UsageError('At most 200 characters of subject and 100,000 of text');
    await withResources(options.stage, async (resources) => {
      let segment: Segment;
      try {
        segment = parseSegment(options.segment, plansOf(resources));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const noticeId = noticeIdOf(options.topic, segment, subject, body);
      const existing = await storeOf(resources).get(noticeId);
      if (existing && !options.dryRun)
        throw new UsageError(
          `This notice was sent as ${noticeId} on ${existing.createdAt}: see notice status ${noticeId}, or notice resume ${noticeId} to queue whom it has not reached`,
        );
      const audience = await audienceOf(resources, options.topic, segment);
      printAudience(options.topic, audience);
      if (options.dryRun) return;
      const job: NoticeJob = {
        noticeId,
        topic: options.topic,
        subject,
        body,
        segment,
        createdAt: new Date().toISOString(),
        createdBy: (await operator(resources)).id,
        recipients: audience.recipients.length,
        excluded: audience.excluded,
      };
      if (!(await storeOf(resources).createIfAbsent(job)))
        throw new UsageError(`${noticeId} was just created by someone else: see notice status ${noticeId}`);
      // The notice's text and audience are kept in the audit trail for its whole retention.
      await recordOps(resources, {
        action: 'notice.send',
        targets: [{ type: 'notice', id: noticeId }],
        change: { after: { topic: job.topic, segment, subject, body, recipients: job.recipients, excluded: job.excluded } },
      });
      await enqueue(resources, noticeId, audience.recipients);
      console.log(`Notice ${noticeId}: ${audience.recipients.length} recipient(s) queued. Follow it with notice status ${noticeId} --wait`);
    });
  });

const resume = new Command('resume')
  .description(
    'Queues again every recipient of a notice it has not reached yet (after an interrupted send, or the DLQ was purged); nobody is mailed twice',
  )
  .argument('<noticeId>')
  .addOption(stageOption())
  .action(async (noticeId: string, options: StageOptions) => {
    await withResources(options.stage, async (resources) => {
      const job = await storeOf(resources).get(noticeId);
      if (!job) throw new UsageError(`No notice ${noticeId}`);
      const handled = await storeOf(resources).handled(noticeId);
      const audience = await audienceOf(resources, job.topic, job.segment);
      const missing = audience.recipients.filter((r) => !handled.has(deliveryKeyOf(noticeId, r.accountId)));
      await recordOps(resources, {
        action: 'notice.resume',
        targets: [{ type: 'notice', id: noticeId }],
        change: { after: { queued: missing.length, handled: handled.size } },
      });
      await enqueue(resources, noticeId, missing);
      console.log(`Notice ${noticeId}: ${handled.size} already handled, ${missing.length} queued again`);
    });
  });

const status = new Command('status')
  .description(
    "A notice's progress: sent, skipped at send time (preference changed, bounced meanwhile), unconfirmed (claimed by a sender that stopped), waiting",
  )
  .argument('<noticeId>')
  .option('--wait', 'follow it until every recipient is handled')
  .addOption(stageOption())
  .action(async (noticeId: string, options: StageOptions & { wait?: boolean }) => {
    await withResources(options.stage, async (resources) => {
      const job = await storeOf(resources).get(noticeId);
      if (!job) throw new UsageError(`No notice ${noticeId}`);
      const report = progress('recipients handled');
      for (;;) {
        const counts = await storeOf(resources).progress(noticeId);
        const handled = counts.sent + counts.skipped + counts.claimed;
        report(handled, job.recipients);
        if (!options.wait || handled >= job.recipients) {
          console.log(`${noticeId} (${job.topic}) "${job.subject}" by ${job.createdBy} at ${job.createdAt}`);
          console.log(
            `${job.recipients} recipient(s): ${counts.sent} sent, ${counts.skipped} skipped at send time, ${counts.claimed} unconfirmed, ${Math.max(0, job.recipients - handled)} waiting`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
  });

const list = new Command('list')
  .description('Notices sent (kept 90 days; their text stays in the audit trail)')
  .addOption(stageOption())
  .action(async (options: StageOptions) => {
    await withResources(options.stage, async (resources) => {
      const jobs: Record<string, unknown>[] = [];
      for await (const item of scanPages(resources.dynamo, {
        TableName: resources.tables.notices,
        FilterExpression: 'sk = :job',
        ExpressionAttributeValues: { ':job': 'JOB' },
      }))
        jobs.push(item);
      jobs.sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
      for (const j of jobs)
        console.log(
          `${j.noticeId}  ${String(j.createdAt).slice(0, 16)}  ${String(j.topic).padEnd(11)} ${String(j.recipients).padStart(7)} recipient(s)  ${JSON.stringify(j.subject)}`,
        );
      console.log(`${jobs.length} notice(s)`);
    });
  });

export const notice = new Command('notice')
  .description('Technical notices: send (or dry-run) by topic, resume, follow')
  .addCommand(send)
  .addCommand(resume)
  .addCommand(status)
  .addCommand(list);
