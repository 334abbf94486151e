import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamo } from '../../shared/clients/dynamodb';
import { logger } from '../../shared/logger';
import { SesMailer } from '../../shared/adapters/ses-mailer';
import { ses } from '../../shared/clients/sesv2';
import { totalBalance } from '../../shared/adapters/dynamodb-balance';
import { DynamoDbSecurityEvents } from '../../shared/adapters/dynamodb-security-events';
import { DynamoDbAddressAlarm, DynamoDbKeyAddressLog } from '../adapters/dynamodb-address-watch';
import { DynamoDbAccountSettings, DynamoDbLowBalanceNotices, DynamoDbUsageStore } from '../adapters/dynamodb-usage-store';
import { meteringMetrics, metrics, usageMetrics } from '../adapters/powertools-metrics';
import { workerConfig } from '../config';
import { KeyAddressWatch } from '../domain/address-watch';
import { type BatchOutcome, recordUsageBatch } from '../domain/usage';
import { UsageRecordError } from '../errors';

const config = workerConfig();
const deps = {
  store: new DynamoDbUsageStore(dynamo, {
    usageLogs: config.TABLE_USAGE_LOGS,
    usageAggregates: config.TABLE_USAGE_AGGREGATES,
    ledger: config.TABLE_LEDGER,
  }),
  settings: new DynamoDbAccountSettings(dynamo, config.TABLE_ACCOUNTS),
  notices: new DynamoDbLowBalanceNotices(dynamo, config.TABLE_LEDGER, new SesMailer(ses, config.MAIL_FROM), config.PUBLIC_URL),
  balances: { of: (accountId: string) => totalBalance(dynamo, config.TABLE_LEDGER, accountId) },
  onNoticeError: (error: unknown) => logger.error('Low-balance notice failed', error as Error),
  metrics: usageMetrics(),
  addresses: new KeyAddressWatch(
    new DynamoDbKeyAddressLog(dynamo, config.TABLE_SECURITY_EVENTS),
    new DynamoDbAddressAlarm(
      dynamo,
      new DynamoDbSecurityEvents(dynamo, config.TABLE_SECURITY_EVENTS),
      meteringMetrics.keySeenFromManyAddresses,
      config.SUSPEND_ON_MANY_ADDRESSES ? { accounts: config.TABLE_ACCOUNTS, apiKeys: config.TABLE_API_KEYS! } : undefined,
    ),
    { addressesPerHour: config.KEY_ADDRESSES_PER_HOUR, suspend: config.SUSPEND_ON_MANY_ADDRESSES },
  ),
  onWatchError: (error: unknown) => logger.error('Key address watch failed', error as Error),
};
const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS → usage logs and aggregates. The batch is recorded together (one transaction per up to 100
 * items); Powertools then reports each message that was not recorded as a partial batch failure, so
 * SQS retries just those and parks a malformed one in the DLQ after five receives.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const outcome: BatchOutcome = await recordUsageBatch(event.Records, deps);
    logger.info('Usage batch', {
      size: event.Records.length,
      recorded: outcome.recorded,
      duplicates: outcome.duplicates,
      failed: outcome.failed.size,
    });
    const recordHandler = async (record: SQSRecord) => {
      if (outcome.failed.has(record.messageId)) throw new UsageRecordError(record.messageId);
    };
    return processPartialResponse(event, recordHandler, processor, { context });
  });
