import { DynamoDbUsageLogs } from '../shared/adapters/dynamodb-usage-logs';
import { totalBalance } from '../shared/adapters/dynamodb-balance';
import { DynamoDbSecurityEvents } from '../shared/adapters/dynamodb-security-events';
import { SesMailer } from '../shared/adapters/ses-mailer';
import { dynamo } from '../shared/clients/dynamodb';
import { ses } from '../shared/clients/sesv2';
import { sqs } from '../shared/clients/sqs';
import { lazily } from '../shared/config';
import { logger } from '../shared/logger';
import { DynamoDbAddressAlarm, DynamoDbKeyAddressLog } from './adapters/dynamodb-address-watch';
import { DynamoDbUsageReader } from '../shared/adapters/dynamodb-usage-reader';
import { DynamoDbAccountSettings, DynamoDbLowBalanceNotices, DynamoDbUsageStore } from './adapters/dynamodb-usage-store';
import { meteringMetrics, usageMetrics } from './adapters/powertools-metrics';
import { SqsUsageQueue } from './adapters/sqs-usage-queue';
import { drainConfig, sweepConfig, usageApiConfig, workerConfig } from './config';
import { KeyAddressWatch } from './domain/address-watch';
import type { recordUsageBatch } from './domain/usage';

/** The usage worker: the exactly-once store, the low-balance notices and the key address watch. */
export const workerWiring = lazily((): Parameters<typeof recordUsageBatch>[1] => {
  const config = workerConfig();
  return {
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
        config.SUSPEND_ON_MANY_ADDRESSES && config.TABLE_API_KEYS
          ? { accounts: config.TABLE_ACCOUNTS, apiKeys: config.TABLE_API_KEYS }
          : undefined,
      ),
      { addressesPerHour: config.KEY_ADDRESSES_PER_HOUR, suspend: config.SUSPEND_ON_MANY_ADDRESSES },
    ),
    onWatchError: (error: unknown) => logger.error('Key address watch failed', error as Error),
  };
});

/** The usage drain: the worker's wiring, and the queue it receives from. */
export const drainWiring = lazily(() => {
  const config = drainConfig();
  return { worker: workerWiring(), queue: new SqsUsageQueue(sqs, config.QUEUE_USAGE_URL), batchSize: config.DRAIN_BATCH_SIZE };
});

/** The usage API: aggregates and the call logs. */
export const usageApiWiring = lazily(() => {
  const config = usageApiConfig();
  return {
    reader: new DynamoDbUsageReader(dynamo, { usageLogs: config.TABLE_USAGE_LOGS, usageAggregates: config.TABLE_USAGE_AGGREGATES }),
    logs: new DynamoDbUsageLogs(dynamo, config.TABLE_USAGE_LOGS),
  };
});

/** The usage sweep: it only counts single calls, writing no page and no refund, so it has no ledger table (and no grant to one). */
export const sweepWiring = lazily(() => {
  const config = sweepConfig();
  return {
    store: new DynamoDbUsageStore(dynamo, {
      usageLogs: config.TABLE_USAGE_LOGS,
      usageAggregates: config.TABLE_USAGE_AGGREGATES,
      ledger: '',
    }),
    everyMinutes: config.SWEEP_EVERY_MINUTES,
  };
});
