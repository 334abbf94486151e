import { z } from 'zod';
import { boundName, jsonSetting, loadConfig, publicUrl } from '../shared/config';
import { parsePacks } from './packs';

const packs = () => z.string().min(2).transform(parsePacks);

/** The balance, ledger and packs reader. */
/** The public prices: each product's price per call (micro-credits) and each plan's requests per minute, bound at synth from the catalog. */
const PricesSchema = z.object({
  products: z.record(z.string(), z.number().int().positive()),
  plans: z.record(z.string(), z.number().int().positive()),
});
const prices = () => jsonSetting(PricesSchema);

export const creditsConfig = () =>
  loadConfig({ TABLE_LEDGER: boundName(), TABLE_SESSIONS: boundName(), CREDIT_PACKS: packs(), PRICES: prices() });

/** Checkout and the Customer Portal; the Stripe keys are read separately (stripe-client.ts). */
export const checkoutConfig = () =>
  loadConfig({
    TABLE_SESSIONS: boundName(),
    TABLE_ACCOUNTS: boundName(),
    TABLE_SECURITY_EVENTS: boundName(),
    TABLE_LEDGER: boundName(),
    CREDIT_PACKS: packs(),
    PUBLIC_URL: publicUrl(),
    CHECKOUTS_PER_HOUR: z.coerce.number().int().min(1),
  });

/** The Stripe webhook. */
export const webhookConfig = () =>
  loadConfig({
    TABLE_WEBHOOK_EVENTS: boundName(),
    TABLE_LEDGER: boundName(),
    TABLE_ACCOUNTS: boundName(),
    TABLE_SECURITY_EVENTS: boundName(),
    CREDIT_PACKS: packs(),
    MAIL_FROM: z.email(),
    PUBLIC_URL: publicUrl(),
  });
