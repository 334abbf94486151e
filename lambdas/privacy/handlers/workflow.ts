import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoDbEmailLinkTokens } from '../../shared/adapters/dynamodb-email-link-tokens';
import { DynamoDbUsageLogs } from '../../shared/adapters/dynamodb-usage-logs';
import { dynamo } from '../../shared/clients/dynamodb';
import { s3 } from '../../shared/clients/s3';
import { logger } from '../../shared/logger';
import { pseudonymiserFromEnv } from '../../shared/pseudonyms';
import { stripeClient, stripeKeys } from '../../shared/adapters/stripe-client';
import { DynamoDbEraser } from '../adapters/dynamodb-eraser';
import { DynamoDbHolds } from '../adapters/dynamodb-holds';
import { DynamoDbSubjectData } from '../adapters/dynamodb-subject-data';
import { StripeCustomers } from '../adapters/stripe-customers';
import { S3ArchiveSink } from '../adapters/s3-archive';
import { workflowConfig } from '../config';
import { DynamoDbPreferences } from '../adapters/dynamodb-preferences';
import { DynamoDbProfileCorrector } from '../adapters/dynamodb-profile-corrector';
import { applyCorrection } from '../domain/correction';
import { ErasureSteps } from '../domain/erasure-steps';
import { applyObjection } from '../domain/objection';
import { deletionTermsOf, lifecycleOf, privacyDeps } from '../wiring';

const config = workflowConfig();
const deps = privacyDeps(config);
const usageLogs = new DynamoDbUsageLogs(dynamo, config.TABLE_USAGE_LOGS);
const keys = stripeKeys();
const pseudonyms = pseudonymiserFromEnv();
const erasure = new ErasureSteps({
  ...deps,
  holds: new DynamoDbHolds(dynamo, { ledger: config.TABLE_LEDGER, privacyRequests: config.TABLE_PRIVACY_REQUESTS }),
  eraser: new DynamoDbEraser(
    dynamo,
    {
      accounts: config.TABLE_ACCOUNTS,
      sessions: config.TABLE_SESSIONS,
      tokens: config.TABLE_TOKENS,
      apiKeys: config.TABLE_API_KEYS,
      ledger: config.TABLE_LEDGER,
      usageLogs: config.TABLE_USAGE_LOGS,
      usageAggregates: config.TABLE_USAGE_AGGREGATES,
      privacyRequests: config.TABLE_PRIVACY_REQUESTS,
      webhookEvents: config.TABLE_WEBHOOK_EVENTS,
      securityEvents: config.TABLE_SECURITY_EVENTS,
      tickets: config.TABLE_TICKETS,
      auditEvents: config.TABLE_AUDIT_EVENTS,
      notices: config.TABLE_NOTICES,
      suppressions: config.TABLE_SUPPRESSIONS,
    },
    usageLogs,
    s3,
    { inboundMail: config.BUCKET_INBOUND_MAIL, exports: config.BUCKET_EXPORTS },
    async () => {
      const { apiKey } = await keys();
      return apiKey ? new StripeCustomers(stripeClient(apiKey)) : undefined;
    },
    pseudonyms,
  ),
  pseudonyms,
  coolingOffSeconds: config.COOLING_OFF_SECONDS,
});
const preferences = new DynamoDbPreferences(dynamo, config.TABLE_ACCOUNTS);
const corrector = new DynamoDbProfileCorrector(dynamo, config.TABLE_ACCOUNTS);
const emailLinkTokens = new DynamoDbEmailLinkTokens(dynamo, config.TABLE_TOKENS);
const lifecycle = lifecycleOf(deps, {
  deletionTerms: deletionTermsOf(config),
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
        auditEvents: config.TABLE_AUDIT_EVENTS,
      },
      usageLogs,
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
  z.object({ step: z.literal('object'), requestId: z.string() }),
  z.object({ step: z.literal('correct'), requestId: z.string() }),
  z.object({ step: z.literal('holds'), requestId: z.string() }),
  z.object({ step: z.literal('awaitHoldRelease'), requestId: z.string(), taskToken: z.string().min(1) }),
  z.object({ step: z.literal('coolingOff'), requestId: z.string(), taskToken: z.string().min(1) }),
  z.object({ step: z.literal('stopAccess'), requestId: z.string() }),
  z.object({ step: z.literal('erase'), requestId: z.string() }),
  z.object({ step: z.literal('prove'), requestId: z.string() }),
  z.object({ step: z.literal('receipt'), requestId: z.string() }),
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
    case 'object':
      return applyObjection(step.requestId, { requests: deps.requests, preferences, mailer: deps.mailer, lifecycle });
    case 'correct':
      return applyCorrection(step.requestId, {
        corrector,
        mailer: deps.mailer,
        lifecycle,
        emailLinks: { tokens: emailLinkTokens, publicUrl: config.PUBLIC_URL, now: deps.now },
      });
    case 'holds':
      return erasure.checkHolds(step.requestId);
    case 'awaitHoldRelease':
      return erasure.awaitHoldRelease(step.requestId, step.taskToken);
    case 'coolingOff':
      return erasure.startCoolingOff(step.requestId, step.taskToken);
    case 'stopAccess':
      return erasure.stopAccess(step.requestId);
    case 'erase':
      return erasure.erasePage(step.requestId);
    case 'prove':
      return erasure.prove(step.requestId);
    case 'receipt':
      return erasure.receiptAndClose(step.requestId);
    case 'fail':
      logger.error('Privacy request failed', { error: step.error, cause: step.cause });
      return lifecycle.fail(step.requestId, step.error, step.cause);
  }
};

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(runStep);
