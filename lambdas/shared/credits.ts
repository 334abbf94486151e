import { ITEMS } from './items';

/**
 * Credits and the balance item. Shared because two contexts write the one balance item: metering
 * debits it in the admit write on the hot path, billing credits it with every ledger entry.
 */

/** 1 credit = 1,000,000 micro-credits; money is integers all the way through. */
export const MICRO_PER_CREDIT = 1_000_000;

/** The balance item every account has in the ledger table, once it has been credited. */
export const balanceKey = (accountId: string) => ITEMS.balance.key({ accountId });

/**
 * Balance shard `n` of an account on a sharded plan: shard 0 is the balance item itself (every credit
 * lands there); shards 1… are items of their own partitions, funded from it by the gateway. The
 * account's balance is the sum of them all.
 */
export const balanceShardKey = (accountId: string, shard: number) =>
  shard === 0 ? balanceKey(accountId) : ITEMS.balanceShard.key({ accountId, shard });

/**
 * Sequence numbers of shard `n` > 0 start at n × 2^40, so they never meet shard 0's (1, 2, …) or each
 * other's, whatever the plan's shard count was when they were handed out.
 */
export const SHARD_SEQ_SPAN = 2 ** 40;

/** Parses a decimal credit amount ("12.5") into exact micro-credits, refusing anything finer. */
export function creditsToMicro(amount: string): number {
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,6}))?$/.exec(amount.trim());
  if (!match) throw new Error(`Not a credit amount with at most 6 decimals: ${amount}`);
  const [, sign, whole, fraction = ''] = match;
  const micro = Number(whole) * MICRO_PER_CREDIT + Number(fraction.padEnd(6, '0'));
  return sign ? -micro : micro;
}

/** Formats micro-credits as a decimal credit string, exactly. */
export function microToCredits(micro: number): string {
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / MICRO_PER_CREDIT);
  const fraction = String(abs % MICRO_PER_CREDIT)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
