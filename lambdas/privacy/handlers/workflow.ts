import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { logger } from '../../shared/logger';
import { applyCorrection } from '../domain/correction';
import { applyObjection } from '../domain/objection';
import { workflowWiring } from '../wiring/workflow';

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
  const { records, confirmations, exports, erasure, ...deps } = workflowWiring();
  switch (step.step) {
    case 'begin':
      return confirmations.begin(step.requestId);
    case 'await':
      return confirmations.awaitConfirmation(step.requestId, step.taskToken);
    case 'start':
      return records.markInProgress(step.requestId);
    case 'export':
      return exports.export(step.requestId);
    case 'deliver':
      return exports.deliverExport(step.requestId);
    case 'handToPerson':
      return records.handToPerson(step.requestId);
    case 'expire':
      return records.expire(step.requestId);
    case 'object':
      return applyObjection(step.requestId, {
        requests: deps.requests,
        preferences: deps.preferences,
        mailer: deps.mailer,
        lifecycle: records,
      });
    case 'correct':
      return applyCorrection(step.requestId, {
        corrector: deps.corrector,
        mailer: deps.mailer,
        lifecycle: records,
        emailLinks: { tokens: deps.emailLinkTokens, publicUrl: deps.publicUrl, now: deps.now },
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
      return records.fail(step.requestId, step.error, step.cause);
  }
};

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(runStep);
