import * as fs from 'node:fs';
import type { Template } from './intrinsics';
import { startLocal } from './runtime';

// Stack traces from the bundled functions point at the TypeScript sources.
process.setSourceMapsEnabled(true);

/** Signs local webhook events when STRIPE_WEBHOOK_SECRET is unset; never a deployed stage's. */
export const DEFAULT_LOCAL_WEBHOOK_SECRET = 'whsec_omnapi_local_development_only';

/** `npm start`: the whole platform on this machine, configured by environment variables. */
async function main(): Promise<void> {
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  // Stripe keys reach the billing functions through the template, as every other setting does.
  const webhookSecretGiven = Boolean(process.env.STRIPE_WEBHOOK_SECRET);
  const localStripe = {
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || DEFAULT_LOCAL_WEBHOOK_SECRET,
    ...(process.env.STRIPE_SECRET_KEY ? { secretKey: process.env.STRIPE_SECRET_KEY } : {}),
    ...(process.env.STRIPE_API_BASE ? { apiBase: process.env.STRIPE_API_BASE } : {}),
  };
  const runtime = await startLocal({
    port: port('PORT', 3000),
    smtpPort: port('SMTP_PORT', 2525),
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    s3Port: port('S3_PORT', 4569),
    awsPort: port('LOCAL_AWS_PORT', 4566),
    dataDir: process.env.OMNAPI_DATA_DIR ?? '.omnapi',
    ttlSweepMs: port('TTL_SWEEP_MS', 60_000),
    timeScale: Number(process.env.LOCAL_TIME_SCALE ?? 1),
    batchingWindowScale: process.env.LOCAL_BATCHING_WINDOW_SCALE ? Number(process.env.LOCAL_BATCHING_WINDOW_SCALE) : undefined,
    scheduleMs: process.env.LOCAL_SCHEDULE_MS ? Number(process.env.LOCAL_SCHEDULE_MS) : undefined,
    // A template synthesized elsewhere (a drift test's, with a grant removed) is served instead of synthesizing the app.
    template: process.env.OMNAPI_TEMPLATE_FILE
      ? (JSON.parse(fs.readFileSync(process.env.OMNAPI_TEMPLATE_FILE, 'utf8')) as Template)
      : undefined,
    // LOCAL_WARM_FUNCTIONS=off: each function loads on its first call (its cold start) instead of before ready.
    warmFunctions: process.env.LOCAL_WARM_FUNCTIONS !== 'off',
    // Concurrent batches per SQS event source; unset: as Lambda starts them (five, or the mapping's maximum concurrency).
    sqsPollers: process.env.LOCAL_SQS_POLLERS ? Number(process.env.LOCAL_SQS_POLLERS) : undefined,
    // Invocations each function runs at once (Lambda's environments; here they share one process); more wait their turn.
    functionConcurrency: process.env.LOCAL_FUNCTION_CONCURRENCY ? Number(process.env.LOCAL_FUNCTION_CONCURRENCY) : undefined,
    // Cheaper password hashing for tests that do not check its cost (10–17; unset: the deployed 17).
    scryptLogN: process.env.LOCAL_SCRYPT_LOG_N ? Number(process.env.LOCAL_SCRYPT_LOG_N) : undefined,
    // Global secondary indexes that lag behind their writes by this many ms, as DynamoDB's may (unset: none).
    indexLagMs: process.env.LOCAL_INDEX_LAG_MS ? Number(process.env.LOCAL_INDEX_LAG_MS) : undefined,
    // Extra CDK context as JSON, e.g. OMNAPI_CONTEXT='{"catalog":{…}}' to try another product catalog.
    context: {
      localStripe,
      // With ORIGIN_SECRET set, the API behaves as behind the edge: requests without the header get 403.
      ...(process.env.ORIGIN_SECRET ? { localOriginSecret: process.env.ORIGIN_SECRET } : {}),
      ...(process.env.OMNAPI_STAGE ? { stage: process.env.OMNAPI_STAGE } : {}),
      ...(JSON.parse(process.env.OMNAPI_CONTEXT ?? '{}') as Record<string, unknown>),
    },
  });
  const { urls, model } = runtime;
  console.log(
    [
      `[omnapi] routes: ${model.routes.map((r) => r.routeKey).join(', ')}`,
      `[omnapi] inbound mail: smtp://${urls.smtp.host}:${urls.smtp.port} for ${model.receiptRules.flatMap((r) => r.recipients).join(', ')}`,
      `[omnapi] outbox: ${runtime.outbox.dir}`,
      `[omnapi] DynamoDB ${urls.dynamodb} · S3 ${urls.s3} · SQS/Step Functions/SES ${urls.aws}`,
      webhookSecretGiven
        ? '[omnapi] Stripe webhook secret: from STRIPE_WEBHOOK_SECRET'
        : `[omnapi] Stripe webhook secret (default; set STRIPE_WEBHOOK_SECRET to change): ${DEFAULT_LOCAL_WEBHOOK_SECRET}`,
      localStripe.secretKey
        ? '[omnapi] Stripe API key: from STRIPE_SECRET_KEY'
        : `[omnapi] no STRIPE_SECRET_KEY: Stripe test mode, played locally — checkout opens ${urls.api}/_local/checkout/<session> (Pay completes it through the signed webhook)`,
      ...(process.env.ORIGIN_SECRET
        ? ['[omnapi] behind an edge: requests without x-omnapi-origin-secret (ORIGIN_SECRET) are answered 403']
        : []),
      ...(runtime.console ? [`[omnapi] console: ${urls.api}/ (built from console/, served as the CloudFront distribution does)`] : []),
      `OmnAPI local ready at ${urls.api}`,
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await runtime.stop();
    process.exit(0);
  };
  // A function that crashes ends its invocation, as in Lambda, never the whole platform.
  process.on('uncaughtException', (error) => console.error(`[omnapi] a function crashed (the platform goes on): ${error.stack ?? error}`));
  process.on('unhandledRejection', (reason) =>
    console.error(`[omnapi] unhandled rejection in a function (the platform goes on): ${(reason as Error)?.stack ?? reason}`),
  );
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(`[omnapi] failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
