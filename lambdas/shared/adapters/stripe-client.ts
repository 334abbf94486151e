import Stripe from 'stripe';
import { ConfigError } from '../errors';
import { readSecretString } from './secrets';

/** The Stripe keys: the API key (absent when this deployment takes no payments) and the webhook signing secret. */
export interface StripeKeys {
  apiKey?: string;
  webhookSecret: string;
}

/**
 * Reads the keys once per container: from the Secrets Manager secret named by STRIPE_SECRET_ARN
 * (deployed; JSON `{ "apiKey", "webhookSecret" }`), or from STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET
 * (the local runtime, which writes them into the template). Cached: one read per cold start.
 */
export function stripeKeys(env: NodeJS.ProcessEnv = process.env): () => Promise<StripeKeys> {
  let keys: Promise<StripeKeys> | undefined;
  return () => {
    keys ??= load(env).catch((error) => {
      keys = undefined;
      throw error;
    });
    return keys;
  };
}

async function load(env: NodeJS.ProcessEnv): Promise<StripeKeys> {
  if (env.STRIPE_SECRET_ARN) {
    const secret = JSON.parse(await readSecretString(env.STRIPE_SECRET_ARN)) as Partial<StripeKeys>;
    if (!secret.webhookSecret) throw new ConfigError('The Stripe secret has no webhookSecret');
    return { apiKey: secret.apiKey || undefined, webhookSecret: secret.webhookSecret };
  }
  if (!env.STRIPE_WEBHOOK_SECRET) throw new ConfigError('Neither STRIPE_SECRET_ARN nor STRIPE_WEBHOOK_SECRET is set');
  return { apiKey: env.STRIPE_SECRET_KEY || undefined, webhookSecret: env.STRIPE_WEBHOOK_SECRET };
}

/** The API version the SDK pins (its requests, and the shapes its types describe). */
export const STRIPE_API_VERSION: string = Stripe.API_VERSION;

/** The mode a Stripe API key works in: live (`sk_live_`, `rk_live_`), test (`sk_test_`, `rk_test_`), or unknown (no key). */
export function livemodeOf(apiKey: string | undefined): boolean | undefined {
  const mode = /^[sr]k_(live|test)_/.exec(apiKey ?? '')?.[1];
  return mode === undefined ? undefined : mode === 'live';
}

/**
 * A Stripe client for `apiKey`. STRIPE_API_BASE (e.g. `http://127.0.0.1:12111`) points it at a
 * stand-in for tests and the local runtime; unset, it talks to Stripe.
 */
export function stripeClient(apiKey: string, apiBase: string | undefined = process.env.STRIPE_API_BASE): Stripe {
  const base = apiBase ? new URL(apiBase) : undefined;
  return new Stripe(apiKey, {
    maxNetworkRetries: 2,
    timeout: 8_000,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}

/** Stripe's own signature check of a webhook body, with its default 300 s tolerance; throws when it fails. */
export function verifyStripeEvent(rawBody: Buffer, signature: string, secret: string) {
  return Stripe.webhooks.constructEvent(rawBody, signature, secret);
}
