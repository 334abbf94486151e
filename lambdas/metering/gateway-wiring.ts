import { documentClient, newDynamoDbClient, newSqsClient } from '../shared/clients/factories';
import { lazily } from '../shared/config';
import { logger } from '../shared/logger';
import { ORIGIN_SECRET_HEADER, OriginGuard } from '../shared/middleware/origin-guard';
import { CachedKeyResolver } from './adapters/cached-key-resolver';
import { DynamoDbAccountSettings, DynamoDbLowBalanceNoticeState, DynamoDbUsageStore } from './adapters/dynamodb-usage-store';
import { summedUsageMetrics } from './adapters/powertools-metrics';
import { DynamoDbKeyLookup } from './adapters/dynamodb-key-lookup';
import { DynamoDbMeter } from './adapters/dynamodb-meter';
import { FetchUpstream } from './adapters/fetch-upstream';
import { SqsUsagePublisher } from './adapters/sqs-usage-publisher';
import { gatewayConfig, UNQUEUED_USAGE_MESSAGE } from './config';
import { Gateway } from './domain/gateway';
import { StoreLoneCalls } from './domain/lone-calls';

// The metered hot path's wiring, apart from wiring.ts so its bundle holds only what it uses: no zod, no X-Ray SDK.

/** The edge's origin check, one per container: the gateway answers behind it and proves its own origin to the demo echo. */
export const gatewayGuard = lazily(() => OriginGuard.fromEnv());

/** The metered hot path, on bare clients: it keeps the X-Ray SDK out of its bundle and cold start (hotPathTracing). */
export const gatewayWiring = lazily(() => {
  const config = gatewayConfig();
  const client = documentClient(newDynamoDbClient());
  const originGuard = gatewayGuard();
  return {
    gateway: new Gateway({
      keys: new CachedKeyResolver(new DynamoDbKeyLookup(client, config.keysTable), { ttlMs: config.keyCacheSeconds * 1000 }),
      meter: new DynamoDbMeter(client, config.ledgerTable),
      // The demo echo is served by this API: behind an edge, the self-call proves its origin like any caller.
      upstream: new FetchUpstream(
        originGuard && { base: config.builtinEchoUrl, headers: async () => ({ [ORIGIN_SECRET_HEADER]: await originGuard.secret() }) },
      ),
      usage: new SqsUsagePublisher(newSqsClient(), config.usageQueueUrl),
      catalog: config.catalog,
      upstreamBase: (product) => {
        const upstream = config.catalog.products[product]!.upstream;
        return upstream === 'builtin:echo' ? config.builtinEchoUrl : upstream;
      },
      now: () => new Date(),
      // One ERROR line holding the whole event: a metric filter counts these and alarms; the runbook replays them.
      onUnqueuedEvent: (usageEvent, error) => logger.error(UNQUEUED_USAGE_MESSAGE, { usageEvent, error: error as Error }),
      // No aggregates table: a lone call is never late, so the store counts nothing into rollups here (the sweep does).
      loneCalls: new StoreLoneCalls({
        store: new DynamoDbUsageStore(client, { usageLogs: config.usageLogsTable, usageAggregates: '', ledger: config.ledgerTable }),
        settings: new DynamoDbAccountSettings(client, config.accountsTable),
        notices: new DynamoDbLowBalanceNoticeState(client, config.ledgerTable),
        metrics: summedUsageMetrics(),
      }),
      onLoneCallError: (usageEvent, error) =>
        logger.warn('Lone call not recorded directly: queued', { requestId: usageEvent.requestId, error: error as Error }),
    }),
  };
});
