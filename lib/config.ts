import { z } from 'zod';
import { DEFAULT_CATALOG } from '../lambdas/metering/catalog';
import { CatalogSchema } from '../lambdas/metering/catalog-schema';
import { DEFAULT_PACKS } from '../lambdas/billing/packs';
import { CreditPacksSchema } from '../lambdas/billing/packs-schema';
import { DEFAULT_USAGE_LOG_RETENTION_DAYS } from '../lambdas/shared/usage-logs';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../lambdas/shared/audit';
import { MeteringSettingsSchema } from './constructs/metering';
import { NoticesSettingsSchema } from './constructs/notices';
import { PrivacyClocksSchema } from './constructs/privacy';
import { describeIssues } from './constructs/shared/settings';
import { LOCAL_CONTEXT_KEY } from './template-keys';

/**
 * Stage settings read from CDK context (`-c stage=prod -c mailDomain=…`), validated once at synth. The
 * settings a construct takes are that construct's schema (or a field of it), so each rule is stated once.
 */
export const StageConfigSchema = z
  .object({
    stage: z.enum(['dev', 'prod']),
    /** Domain whose privacy@, support@ and hello@ mail SES receives. */
    mailDomain: z.string().regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a lower-case domain name'),
    /** Verified SES identity that outgoing mail is sent from. */
    mailFrom: z.email(),
    /** Base URL of links in mail (a custom domain); the API's own endpoint when absent. */
    publicUrl: z.url({ protocol: /^https$/ }).optional(),
    /** Where alarms are sent; no subscription when absent. */
    alarmEmail: z.email().optional(),
    /** Secrets Manager name of the Stripe secret key and webhook signing secret. */
    stripeSecretName: z.string().min(1),
    /** Keep tables, buckets and keys when the stack is deleted (always true in prod). */
    retainData: z.boolean(),
    /** How long the functions' CloudWatch log groups keep their lines (not the usage logs: see below). */
    cloudWatchLogRetentionDays: z.union([z.literal(7), z.literal(30), z.literal(90), z.literal(365)]),
    /**
     * How long per-call usage logs are kept (DynamoDB TTL) and shown; the privacy policy promises 90 days.
     * Shrinking it applies to new calls at once; `npm run ops -- usage retention` rewrites stored ones.
     */
    usageLogRetentionDays: z.number().int().min(1).max(3650),
    /** Days an audit event is kept before its TTL expires it (a yearly audit cycle and its follow-up by default). */
    auditRetentionDays: z.number().int().min(30, 'must be at least 30 days').max(3650, 'must be at most 3650 days (ten years)'),
    api: z.object({
      throttlingRateLimit: z.number().int().positive(),
      throttlingBurstLimit: z.number().int().positive(),
    }),
    /** The privacy workflow's clocks (context `privacy`, JSON; each unset one keeps its default). */
    privacy: PrivacyClocksSchema,
    /**
     * Secrets Manager name of the origin secret the edge (Cloudflare) adds to every request as
     * `x-omnapi-origin-secret`. When set, the API answers direct calls 403 and takes the caller's address
     * from `CF-Connecting-IP`; needs `publicUrl`, so mailed links go through the edge too.
     */
    originSecretName: z.string().min(1).optional(),
    /** The origin secret given directly, for the local runtime only (`ORIGIN_SECRET`). */
    localOriginSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    /** The pseudonym key set given directly, for the local runtime only (generated under its data folder). */
    localPseudonymKeys: z.string().min(32).optional(),
    /**
     * Technical notices: the subscription address optional topics come from, and SES sends a second for
     * notices. That the address is on `mailFrom`'s domain is the Notices construct's rule.
     */
    notices: z.object({ from: NoticesSettingsSchema.shape.noticesFrom, sendsPerSecond: NoticesSettingsSchema.shape.sendsPerSecond }),
    /** The unsubscribe-link key set given directly, for the local runtime only (generated under its data folder). */
    localNoticeLinkKeys: z.string().min(32).optional(),
    /** Browser origins allowed to call the API (CORS); none by default: the API is for servers. */
    corsOrigins: z.array(z.url({ protocol: /^https?$/ })).max(20),
    /** X-Ray on the metered gateway and usage worker (every other function is always traced). */
    hotPathTracing: MeteringSettingsSchema.shape.hotPathTracing,
    /** How the usage worker gets usage events: the scheduled drain, or Lambda's event source mapping (`eventSource`). */
    delivery: MeteringSettingsSchema.shape.delivery,
    /** How often the usage drain runs (minutes; dev 1, prod 2): usage, logs and refunds lag calls by up to this. */
    drainEveryMinutes: MeteringSettingsSchema.shape.drainEveryMinutes,
    /** A key used from more distinct addresses than this in an hour is flagged; with `suspend`, its account is suspended. */
    addressWatch: MeteringSettingsSchema.shape.addressWatch,
    /** Seconds the gateway trusts a looked-up API key: revocation, plan and suspension take effect within this. */
    keyCacheSeconds: MeteringSettingsSchema.shape.keyCacheSeconds,
    /** Products sold through the metered gateway and the rate-limit plans (context `catalog`, JSON). */
    catalog: CatalogSchema,
    /** Credit packs sold through Stripe Checkout (context `creditPacks`, JSON). */
    creditPacks: CreditPacksSchema,
    /** Checkout sessions one account may open per hour (card-testing defence). */
    checkoutsPerHour: z.number().int().min(1).max(100),
    /**
     * Stripe keys given directly, for the local runtime only (`npm start` passes STRIPE_SECRET_KEY and
     * STRIPE_WEBHOOK_SECRET this way). A deployed stage reads them from `stripeSecretName`.
     */
    localStripe: z.object({ secretKey: z.string().optional(), webhookSecret: z.string().min(8), apiBase: z.url().optional() }).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.originSecretName !== undefined && config.publicUrl === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['originSecretName'],
        message: "needs publicUrl (the edge's address), or mailed links would be refused",
      });
  });

export type StageConfig = z.infer<typeof StageConfigSchema>;

export { LOCAL_CONTEXT_KEY };

/** Settings only the local runtime may give as values; a deployed stage keeps them in Secrets Manager. */
const LOCAL_ONLY: Partial<Record<keyof StageConfig, string>> = {
  localStripe: 'only the local runtime may pass Stripe keys as context',
  localOriginSecret: 'only the local runtime may pass the origin secret as context; a stage names it with originSecretName',
  localPseudonymKeys: 'only the local runtime may pass the pseudonym keys as context; a stage generates them in Secrets Manager',
  localNoticeLinkKeys: 'only the local runtime may pass the unsubscribe-link keys as context; a stage generates them in Secrets Manager',
};

/** The stage schema of a deployment: the local runtime's settings refused, keys stay out of the template. */
const DeployedStageConfigSchema = StageConfigSchema.superRefine((config, ctx) => {
  for (const [name, message] of Object.entries(LOCAL_ONLY))
    if (config[name as keyof StageConfig] !== undefined) ctx.addIssue({ code: 'custom', path: [name], message });
});

const DEFAULTS: Record<
  StageConfig['stage'],
  Omit<
    StageConfig,
    | 'stage'
    | 'catalog'
    | 'keyCacheSeconds'
    | 'creditPacks'
    | 'checkoutsPerHour'
    | 'localStripe'
    | 'privacy'
    | 'corsOrigins'
    | 'originSecretName'
    | 'localOriginSecret'
    | 'localPseudonymKeys'
    | 'addressWatch'
    | 'hotPathTracing'
    | 'delivery'
    | 'auditRetentionDays'
    | 'notices'
    | 'localNoticeLinkKeys'
    | 'usageLogRetentionDays'
  >
> = {
  dev: {
    mailDomain: 'omnapi.com',
    mailFrom: 'no-reply@omnapi.com',
    stripeSecretName: 'omnapi/dev/stripe',
    retainData: false,
    cloudWatchLogRetentionDays: 30,
    api: { throttlingRateLimit: 200, throttlingBurstLimit: 400 },
    // A developer sees a call's usage within a minute; dev's traffic costs nothing worth sharing writes for.
    drainEveryMinutes: 1,
  },
  prod: {
    mailDomain: 'omnapi.com',
    mailFrom: 'no-reply@omnapi.com',
    stripeSecretName: 'omnapi/prod/stripe',
    retainData: true,
    cloudWatchLogRetentionDays: 365,
    api: { throttlingRateLimit: 2000, throttlingBurstLimit: 5000 },
    // An account calling about once a minute has two calls a run to share a slot write: docs/performance.md, "Round 14".
    drainEveryMinutes: 2,
  },
};

/** A context lookup, as `App.node.tryGetContext` provides it. */
export type ContextReader = (key: string) => unknown;

/**
 * Builds the stage config from context: stage defaults first, then any context value given.
 * Throws one error that lists every invalid setting.
 */
export function loadStageConfig(context: ContextReader): StageConfig {
  const stage = context('stage') ?? 'dev';
  const base = DEFAULTS[stage as StageConfig['stage']] ?? DEFAULTS.dev;
  const pick = <T>(key: string, fallback: T): unknown => context(key) ?? fallback;
  const candidate = {
    stage,
    mailDomain: pick('mailDomain', base.mailDomain),
    mailFrom: pick('mailFrom', base.mailFrom),
    alarmEmail: pick('alarmEmail', undefined),
    publicUrl: pick('publicUrl', undefined),
    stripeSecretName: pick('stripeSecretName', base.stripeSecretName),
    retainData: stage === 'prod' ? true : asBoolean(pick('retainData', base.retainData)),
    cloudWatchLogRetentionDays: Number(pick('cloudWatchLogRetentionDays', base.cloudWatchLogRetentionDays)),
    usageLogRetentionDays: Number(pick('usageLogRetentionDays', DEFAULT_USAGE_LOG_RETENTION_DAYS)),
    auditRetentionDays: Number(pick('auditRetentionDays', DEFAULT_AUDIT_RETENTION_DAYS)),
    api: base.api,
    keyCacheSeconds: asNumber(context('keyCacheSeconds')),
    corsOrigins: parseJson(pick('corsOrigins', [])),
    catalog: parseJson(pick('catalog', DEFAULT_CATALOG)),
    creditPacks: parseJson(pick('creditPacks', DEFAULT_PACKS)),
    checkoutsPerHour: Number(pick('checkoutsPerHour', 5)),
    // Unset, these keep their construct's defaults.
    hotPathTracing: context('hotPathTracing'),
    delivery: context('delivery'),
    drainEveryMinutes: Number(pick('drainEveryMinutes', base.drainEveryMinutes)),
    addressWatch: parseJson(context('addressWatch')),
    privacy: parseJson(context('privacy')),
    localStripe: parseJson(context('localStripe')),
    originSecretName: pick('originSecretName', undefined),
    localOriginSecret: pick('localOriginSecret', undefined),
    localPseudonymKeys: pick('localPseudonymKeys', undefined),
    localNoticeLinkKeys: pick('localNoticeLinkKeys', undefined),
    // Optional notices come from the verified sending domain, beside (never as) the transactional address.
    notices: {
      from: `notices@${String(pick('mailFrom', base.mailFrom)).split('@')[1]}`,
      sendsPerSecond: 10,
      ...(parseJson(context('notices')) as object | undefined),
    },
  };
  const schema = context(LOCAL_CONTEXT_KEY) === true ? StageConfigSchema : DeployedStageConfigSchema;
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, 'stage').map((problem) => `  - ${problem}`);
    throw new Error(`Invalid OmnAPI stage config (set with cdk -c key=value):\n${problems.join('\n')}`);
  }
  return parsed.data;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function asNumber(value: unknown): unknown {
  return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
}

function asBoolean(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}
