import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UNQUEUED_USAGE_MESSAGE } from '../../lambdas/metering/config';
import { UsageEventSchema } from '../../lambdas/metering/domain/usage';
import { Command, Option, progress, UsageError, withResources } from './program';
import { recordOps } from './audit';

export const replayUnqueued = new Command('replay-unqueued')
  .description('Queue again the usage events the gateway could not queue (read from its log); idempotent')
  .requiredOption('--since <iso-time>', 'start of the log window, e.g. 2026-11-24T00:00:00Z')
  .addOption(
    new Option('--stage <stage>', 'the deployed stack (the gateway log is in CloudWatch)').choices(['dev', 'prod']).makeOptionMandatory(),
  )
  .action(async (options: { since: string; stage: 'dev' | 'prod' }) => {
    const start = Date.parse(options.since);
    if (Number.isNaN(start)) throw new UsageError('--since must be an ISO time, e.g. 2026-11-24T00:00:00Z');
    await withResources(options.stage, async (resources) => {
      const logGroupName = resources.outputs.GatewayLogGroup!;
      const queueUrl = resources.outputs.QueueUsageUrl!;
      const logsClient = new CloudWatchLogsClient({});
      const sqs = new SQSClient({});
      const report = progress('replayed');
      let replayed = 0;
      let nextToken: string | undefined;
      do {
        const page = await logsClient.send(
          new FilterLogEventsCommand({
            logGroupName,
            startTime: start,
            filterPattern: `{ $.message = "${UNQUEUED_USAGE_MESSAGE}" }`,
            nextToken,
          }),
        );
        for (const line of page.events ?? []) {
          const event = UsageEventSchema.parse(JSON.parse(line.message ?? '{}').usageEvent);
          await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
          report(++replayed);
        }
        nextToken = page.nextToken;
      } while (nextToken);
      await recordOps(resources, {
        action: 'usage.replay',
        targets: [{ type: 'log_group', id: String(resources.outputs.GatewayLogGroup ?? 'gateway') }],
        change: { after: { replayed } },
      });
      console.log(`Queued ${replayed} usage event(s) again; events already recorded are skipped by the worker.`);
    });
  });
