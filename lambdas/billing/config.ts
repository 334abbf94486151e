import { z } from 'zod';
import { jsonSetting, loadSettings, mailSettings, tableSettings } from '../shared/config';
import { CreditPacksSchema } from './packs-schema';

/** The public prices: each product's price per call (micro-credits) and each plan's requests per minute, bound at synth from the catalog. */
const PricesSchema = z.object({
  products: z.record(z.string(), z.number().int().positive()),
  plans: z.record(z.string(), z.number().int().positive()),
});

/** Every variable a billing function can be bound to, each with its one validator (the Stripe keys are read apart: stripe-client.ts). */
const SETTINGS = () => ({
  ...mailSettings(),
  ...tableSettings('accounts', 'ledger', 'securityEvents', 'webhookEvents'),
  /** The packs for sale, as the stage config's schema validated them at synth. */
  CREDIT_PACKS: jsonSetting(CreditPacksSchema),
  PRICES: jsonSetting(PricesSchema),
  CHECKOUTS_PER_HOUR: z.coerce.number().int().min(1),
});
type Setting = keyof ReturnType<typeof SETTINGS>;
const settings = <K extends Setting>(...names: K[]) => loadSettings(SETTINGS(), names);

/** The balance, ledger and packs reader. */
export const creditsConfig = () => settings('TABLE_LEDGER', 'CREDIT_PACKS', 'PRICES');

/** Checkout and the Customer Portal. */
export const checkoutConfig = () =>
  settings('TABLE_ACCOUNTS', 'TABLE_SECURITY_EVENTS', 'TABLE_LEDGER', 'CREDIT_PACKS', 'PUBLIC_URL', 'CHECKOUTS_PER_HOUR');

/** The Stripe webhook. */
export const webhookConfig = () =>
  settings('TABLE_WEBHOOK_EVENTS', 'TABLE_LEDGER', 'TABLE_ACCOUNTS', 'TABLE_SECURITY_EVENTS', 'CREDIT_PACKS', 'MAIL_FROM', 'PUBLIC_URL');
