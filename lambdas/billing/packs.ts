import { MICRO_PER_CREDIT } from '../shared/credits';

/** A credit pack sold through Stripe Checkout: so many credits for a fixed price. */
export interface CreditPack {
  /** Shown on the Checkout page and the receipt. */
  name: string;
  /** Whole credits the pack adds. */
  credits: number;
  /** Price in the currency's smallest unit (cents), as Stripe counts it. */
  priceMinor: number;
  /** ISO 4217, lower-case, as Stripe spells it. */
  currency: string;
}

/** The packs every stage starts from (stage config `creditPacks` replaces them). */
export const DEFAULT_PACKS: Record<string, CreditPack> = {
  starter: { name: 'Starter — 1,000 credits', credits: 1_000, priceMinor: 1_000, currency: 'usd' },
  growth: { name: 'Growth — 12,000 credits', credits: 12_000, priceMinor: 10_000, currency: 'usd' },
  scale: { name: 'Scale — 150,000 credits', credits: 150_000, priceMinor: 100_000, currency: 'usd' },
};

/** A pack's credits in micro-credits. */
export const packMicro = (pack: CreditPack) => pack.credits * MICRO_PER_CREDIT;
