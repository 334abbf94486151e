import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../shared/logger';
import { intakeConfig } from '../config';
import { lifecycleOf, privacyDeps } from '../wiring';

const lifecycle = lifecycleOf(privacyDeps(intakeConfig()));

/** Scheduled (EventBridge): reminds once about unused confirmation links and expires dead ones. */
export const watch = async () => {
  const result = await lifecycle.sweepConfirmations();
  if (result.reminded || result.expired) logger.info('Privacy watchdog pass', result);
  else logger.debug('Privacy watchdog pass', result);
  return result;
};

export const handler = middy().use(injectLambdaContext(logger, { resetKeys: true })).handler(watch);
