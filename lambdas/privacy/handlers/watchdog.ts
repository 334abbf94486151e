import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../shared/logger';
import { dynamo } from '../../shared/clients/dynamodb';
import { DynamoDbHolds } from '../adapters/dynamodb-holds';
import { watchdogConfig } from '../config';
import { lifecycleOf, privacyDeps } from '../wiring';

const config = watchdogConfig();
const deps = privacyDeps(config);
const lifecycle = lifecycleOf(deps);
const holds = new DynamoDbHolds(dynamo, { ledger: config.TABLE_LEDGER, privacyRequests: config.TABLE_PRIVACY_REQUESTS });

/**
 * Scheduled (EventBridge): reminds once about unused confirmation links, expires dead ones, and
 * resumes deferred deletions whose holds (dispute, negative balance, legal hold) are gone.
 */
export const watch = async () => {
  const result = { ...(await lifecycle.sweepConfirmations()), resumed: 0 };
  for (const request of await deps.requests.open()) {
    if (request.type !== 'deletion' || request.status !== 'in_progress' || !request.taskToken || request.erasure) continue;
    if (!request.history.at(-1)?.note?.startsWith('deferred:')) continue;
    if ((await holds.reasons(request.accountId)).length) continue;
    await deps.requests.update(request.requestId, { taskToken: undefined }, { status: 'in_progress', note: 'holds cleared: resumed' });
    await deps.workflow.resume(request.taskToken, { released: true }).catch(() => undefined);
    result.resumed++;
  }
  if (result.reminded || result.expired || result.resumed) logger.info('Privacy watchdog pass', result);
  else logger.debug('Privacy watchdog pass', result);
  return result;
};

export const handler = middy().use(injectLambdaContext(logger, { resetKeys: true })).handler(watch);
