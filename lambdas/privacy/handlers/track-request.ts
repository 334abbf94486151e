import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamo } from '../../shared/clients/dynamodb';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { DynamoDbRequestStatusStore } from '../adapters/dynamodb-request-status-store';
import { expiryFor, REQUEST_STATUSES } from '../domain/request-status';

const config = loadConfig({ TABLE_PRIVACY_REQUESTS: z.string().min(1) });
const store = new DynamoDbRequestStatusStore(dynamo, config.TABLE_PRIVACY_REQUESTS);

export const TrackRequestInput = z.object({ requestId: z.string().min(1).max(100), status: z.enum(REQUEST_STATUSES) });

/** Workflow task: records a privacy request's new status and returns it. */
export const trackRequest = async (input: unknown) => {
  const { requestId, status } = TrackRequestInput.parse(input);
  const now = new Date();
  const at = now.toISOString();
  await store.setStatus(requestId, status, at, expiryFor(status, now));
  logger.info('Privacy request status set', { requestId, status });
  return { status, at };
};

export const handler = middy().use(injectLambdaContext(logger, { resetKeys: true })).handler(trackRequest);
