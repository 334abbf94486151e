import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger } from '../../shared/logger';
import { watchdogWiring } from '../wiring/watchdog';

const metrics = new Metrics({ namespace: 'OmnAPI', serviceName: 'privacy' });

/**
 * Scheduled (EventBridge): reminds once about unused confirmation links, expires dead ones, and
 * resumes deferred deletions whose holds (dispute, negative balance, legal hold) are gone.
 */
export const watch = async () => {
  const { requests, workflow, confirmations, clock: legalClock, holds } = watchdogWiring();
  const result = { ...(await confirmations.sweepConfirmations()), resumed: 0 };
  for (const request of await requests.open()) {
    if (request.type !== 'deletion' || request.status !== 'in_progress' || !request.taskToken || request.erasure) continue;
    // Requests deferred before the flag existed said so only in their last note.
    const deferred = request.heldBy?.length || request.history.at(-1)?.note?.startsWith('deferred:');
    if (!deferred) continue;
    if ((await holds.reasons(request.accountId)).length) continue;
    await requests.update(
      request.requestId,
      { taskToken: undefined, heldBy: undefined },
      { status: 'in_progress', note: 'holds cleared: resumed' },
    );
    await workflow.resume(request.taskToken, { released: true });
    result.resumed++;
  }
  // The legal clock: every pass reports how many requests are near their deadline, overdue or stuck; alarms watch each.
  const clock = await legalClock.checkClock();
  metrics.addMetric('PrivacyDeadlineNear', MetricUnit.Count, clock.nearing.length);
  metrics.addMetric('PrivacyOverdue', MetricUnit.Count, clock.overdue.length);
  metrics.addMetric('PrivacyRequestStuck', MetricUnit.Count, clock.stuck.length);
  if (clock.nearing.length || clock.overdue.length || clock.stuck.length) logger.warn('Privacy deadlines need attention', clock);
  if (result.reminded || result.expired || result.resumed) logger.info('Privacy watchdog pass', result);
  else logger.debug('Privacy watchdog pass', result);
  return { ...result, clock };
};

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(watch);
