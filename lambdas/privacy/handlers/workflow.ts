import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoDbUsageLogs } from '../../shared/adapters/dynamodb-usage-logs';
import { dynamo } from '../../shared/clients/dynamodb';
import { s3 } from '../../shared/clients/s3';
import { logger } from '../../shared/logger';
import { DynamoDbSubjectData } from '../adapters/dynamodb-subject-data';
import { S3ArchiveSink } from '../adapters/s3-archive';
import { workflowConfig } from '../config';
import { lifecycleOf, privacyDeps } from '../wiring';

const config = workflowConfig();
const lifecycle = lifecycleOf(privacyDeps(config), {
  exports: {
    data: new DynamoDbSubjectData(
      dynamo,
      {
        accounts: config.TABLE_ACCOUNTS,
        sessions: config.TABLE_SESSIONS,
        apiKeys: config.TABLE_API_KEYS,
        ledger: config.TABLE_LEDGER,
        usageLogs: config.TABLE_USAGE_LOGS,
        usageAggregates: config.TABLE_USAGE_AGGREGATES,
        privacyRequests: config.TABLE_PRIVACY_REQUESTS,
        securityEvents: config.TABLE_SECURITY_EVENTS,
        tickets: config.TABLE_TICKETS,
      },
      new DynamoDbUsageLogs(dynamo, config.TABLE_USAGE_LOGS),
    ),
    sink: (key) => new S3ArchiveSink(s3, config.BUCKET_EXPORTS, key),
  },
});

/** What the state machine passes each task. */
export const StepInput = z.discriminatedUnion('step', [
  z.object({ step: z.literal('begin'), requestId: z.string() }),
  z.object({ step: z.literal('await'), requestId: z.string(), taskToken: z.string().min(1) }),
  z.object({ step: z.literal('start'), requestId: z.string() }),
  z.object({ step: z.literal('export'), requestId: z.string() }),
  z.object({ step: z.literal('deliver'), requestId: z.string() }),
  z.object({ step: z.literal('handToPerson'), requestId: z.string() }),
  z.object({ step: z.literal('expire'), requestId: z.string() }),
  z.object({ step: z.literal('fail'), requestId: z.string(), error: z.string().default('Unknown'), cause: z.string().default('') }),
]);

/** One Lambda function for the workflow's task states, dispatched on `step`; each step is safe to retry. */
export const runStep = async (input: unknown): Promise<unknown> => {
  const step = StepInput.parse(input);
  logger.appendKeys({ requestId: step.requestId, step: step.step });
  switch (step.step) {
    case 'begin':
      return lifecycle.begin(step.requestId);
    case 'await':
      return lifecycle.awaitConfirmation(step.requestId, step.taskToken);
    case 'start':
      return lifecycle.markInProgress(step.requestId);
    case 'export':
      return lifecycle.export(step.requestId);
    case 'deliver':
      return lifecycle.deliverExport(step.requestId);
    case 'handToPerson':
      return lifecycle.handToPerson(step.requestId);
    case 'expire':
      return lifecycle.expire(step.requestId);
    case 'fail':
      logger.error('Privacy request failed', { error: step.error, cause: step.cause });
      return lifecycle.fail(step.requestId, step.error, step.cause);
  }
};

export const handler = middy().use(injectLambdaContext(logger, { resetKeys: true })).handler(runStep);
