import { isPageRollup, singlesHeld } from '../../lambdas/shared/adapters/singles-day';
import type { CallCounters } from '../../lambdas/shared/usage-counters';

const DAY = 86_400_000;

/**
 * An account's single calls counted so far, per hour and product, as the store's rollups hold them
 * (its days' singles items, and hourly ones of earlier versions), from a scan of the aggregates table.
 */
export function singlesCounted(
  aggregates: Record<string, unknown>[],
  accountId: string,
): ({ bucket: string; product: string; through: number; n: number } & CallCounters)[] {
  const held = singlesHeld(aggregates.filter((item) => item.pk === `ACCOUNT#${accountId}#H`));
  return [...held].flatMap(([hour, products]) =>
    [...products].map(([product, tally]) => ({
      bucket: new Date(hour).toISOString().replace('.000Z', 'Z'),
      product,
      through: tally.through,
      n: tally.n,
      ...tally.counters,
    })),
  );
}

/** A sweep run's time that finishes every hour up to the end of the day holding `at` (epoch ms): the day's quiet hours are finished at its end. */
export const afterDayOf = (at: number) => Math.floor(at / DAY) * DAY + DAY + 6 * 60_000;

/** Everything an account's rollups count so far — its pages' hourly rollups and its single calls' — from a scan of the aggregates table. */
export function allCounted(
  aggregates: Record<string, unknown>[],
  accountId: string,
): { calls: number; chargedMicro: number; analyticsCalls: number } {
  const mine = aggregates.filter((item) => item.pk === `ACCOUNT#${accountId}#H`);
  const pages = mine.filter(isPageRollup);
  const singles = singlesHeld(mine);
  const tallies = [...singles.values()].flatMap((products) => [...products.values()]);
  return {
    calls: pages.reduce((sum, item) => sum + Number(item.calls), 0) + tallies.reduce((sum, t) => sum + t.counters.calls, 0),
    chargedMicro:
      pages.reduce((sum, item) => sum + Number(item.chargedMicro), 0) + tallies.reduce((sum, t) => sum + t.counters.chargedMicro, 0),
    analyticsCalls: tallies.reduce((sum, t) => sum + t.analytics.calls, 0),
  };
}
