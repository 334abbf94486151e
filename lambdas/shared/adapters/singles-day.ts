import { ITEMS } from '../items';
import { WEEK_MS, weekEndOf } from './dynamodb-usage-logs';
import { CALL_COUNTERS, type CallCounters } from '../usage-counters';

/**
 * The singles rollup of an account and UTC day: what its calls in slots and single call items (the
 * calls of accounts that are not busy) count for, per hour and product, in one item — so the sweep
 * finishes an account's quiet hours with one write a day, not one an hour. Each hour and product is
 * an entry counted `through` an instant (epoch ms, inclusive); the item carries one version `v` for
 * all of them, so every writer (a counting step, a late call's recount, the sweep) reads it, adds what
 * is new since each entry's `through`, and writes it back only if no other writer did meanwhile.
 *
 * An entry is a string of numbers — `through n`, then CALL_COUNTERS in order, then `/` and
 * ANALYTICS_COUNTERS in order — as a day of a quiet account is 24 of them and a map of named numbers
 * would be three times the bytes. Counters appended to either list after an entry was written are
 * absent from it and read as 0 (the `/` keeps the analytics where they were when call counters are added).
 * Entries written before the `/` (the day rollup's first version) hold the first LEGACY_CALL_COUNTERS
 * call counters, then the analytics.
 */

/** The analytics part of an entry: the calls and credits of accounts that had not objected to analytics. */
export const ANALYTICS_COUNTERS = ['calls', 'chargedMicro'] as const;
export type AnalyticsCounters = Record<(typeof ANALYTICS_COUNTERS)[number], number>;

export interface SinglesTally {
  /** Epoch ms: the calls up to and including this instant are counted. */
  through: number;
  /** How many calls. */
  n: number;
  counters: CallCounters;
  analytics: AnalyticsCounters;
}

/** An entry's name in the day item: the hour (two digits) and the product. */
export const entryName = (hour: number, product: string) => `${new Date(hour).toISOString().slice(11, 13)}#${product}`;

export const singlesDayKey = (accountId: string, hour: number) =>
  ITEMS.singlesDay.key({ accountId, day: new Date(hour).toISOString().slice(0, 10) });

/** How many call counters entries written without the `/` hold: CALL_COUNTERS had these eleven then. */
const LEGACY_CALL_COUNTERS = 11;

export function encodeTally(tally: SinglesTally): string {
  return [
    tally.through,
    tally.n,
    ...CALL_COUNTERS.map((n) => tally.counters[n]),
    '/',
    ...ANALYTICS_COUNTERS.map((n) => tally.analytics[n]),
  ].join(' ');
}

export function decodeTally(value: string): SinglesTally {
  const split = value.indexOf(' / ');
  const head = (split < 0 ? value : value.slice(0, split)).split(' ').map(Number);
  const analytics =
    split < 0
      ? head.splice(2 + LEGACY_CALL_COUNTERS)
      : value
          .slice(split + 3)
          .split(' ')
          .map(Number);
  const at = (numbers: number[], i: number) => numbers[i] ?? 0;
  return {
    through: at(head, 0),
    n: at(head, 1),
    counters: Object.fromEntries(CALL_COUNTERS.map((name, i) => [name, at(head, 2 + i)])) as CallCounters,
    analytics: Object.fromEntries(ANALYTICS_COUNTERS.map((name, i) => [name, at(analytics, i)])) as AnalyticsCounters,
  };
}

/** A day item's entries: the hour (epoch ms) and product of each, with its tally. */
export function entriesOfDay(item: Record<string, unknown>): { hour: number; product: string; tally: SinglesTally }[] {
  const day = String(item.sk).slice(0, 10);
  return Object.entries((item.h ?? {}) as Record<string, string>).map(([name, value]) => {
    const split = name.indexOf('#');
    return {
      hour: Date.parse(`${day}T${name.slice(0, split)}:00:00Z`),
      product: name.slice(split + 1),
      tally: decodeTally(value),
    };
  });
}

/**
 * The singles rollup of an account's seven-day period (`ITEMS.singlesWeek`, keyed by the period's last day
 * as its week list is): what the sweep's week pass counted of the days of lone calls, in one item and one
 * write a week, not one a day. Its entries are a day item's, named by the day's place in the period before
 * the hour (`313#echo`: the fourth day, 13:00); `f` says the period is counted through that instant
 * (with the day items and page rollups of its days), so readers skip what it covers. A day item of the
 * same day may hold an hour too (a day list's count, a late call's recount): both forms are whole counts,
 * and `singlesHeld` takes the fresher of the two.
 */
export const singlesWeekKey = (accountId: string, at: number) =>
  ITEMS.singlesWeek.key({ accountId, week: new Date(weekEndOf(at)).toISOString().slice(0, 10) });

/** The first millisecond of the seven-day period holding `at`. */
export const weekStartOf = (at: number) => weekEndOf(at) + 1 - WEEK_MS;

/** An entry's name in the week item: the day's place in the period, the hour (two digits) and the product. */
export const weekEntryName = (hour: number, product: string) =>
  `${Math.floor((hour - weekStartOf(hour)) / 86_400_000)}${entryName(hour, product)}`;

/** A week item's entries: the hour (epoch ms) and product of each, with its tally. */
export function entriesOfWeek(item: Record<string, unknown>): { hour: number; product: string; tally: SinglesTally }[] {
  const start = weekStartOf(Date.parse(`${String(item.sk).slice(2)}T00:00:00Z`));
  return Object.entries((item.h ?? {}) as Record<string, string>).map(([name, value]) => {
    const split = name.indexOf('#');
    return {
      hour: start + Number(name.slice(0, 1)) * 86_400_000 + Number(name.slice(1, split)) * 3_600_000,
      product: name.slice(split + 1),
      tally: decodeTally(value),
    };
  });
}

export const emptyTally = (through: number): SinglesTally => ({
  through,
  n: 0,
  counters: Object.fromEntries(CALL_COUNTERS.map((name) => [name, 0])) as CallCounters,
  analytics: Object.fromEntries(ANALYTICS_COUNTERS.map((name) => [name, 0])) as AnalyticsCounters,
});

/** A rollup of a busy account's pages (`<hour>#<product>`): neither a day's singles rollup nor the singles' hourly form. */
export const isPageRollup = (item: Record<string, unknown>) =>
  item.through === undefined && !ITEMS.singlesDay.matches(item) && !ITEMS.singlesWeek.matches(item);

/** A singles rollup of the hourly form of earlier versions (`<hour>#<product>#S`): it has a `through`, page rollups have none. */
export const isHourlySingles = (item: Record<string, unknown>) =>
  item.through !== undefined && !ITEMS.singlesDay.matches(item) && !ITEMS.singlesWeek.matches(item);

/**
 * The single calls counted so far, per hour (epoch ms) and product, from an account's aggregate items
 * (any mix of day items, hourly singles rollups and page rollups, which are skipped). Each form's entry
 * is a whole count of the product's calls of the hour `through` an instant, so where both forms hold
 * an hour and product, the fresher count is the hour's — the later `through`, or at the same `through`
 * the larger count (a recount after a late call) — and nothing is counted twice whichever is taken. An
 * hour the day's item took over stays the day's unless a worker of an earlier version wrote the hourly
 * form again during a deploy: its recount of a late call, through the hour's end, is then the hour's,
 * until the next count of the hour takes it over into the day's item again.
 */
export function singlesHeld(items: Record<string, unknown>[]): Map<number, Map<string, SinglesTally>> {
  const held = new Map<number, Map<string, SinglesTally>>();
  const ofHour = (hour: number) => held.get(hour) ?? held.set(hour, new Map()).get(hour)!;
  for (const item of items)
    if (ITEMS.singlesDay.matches(item) && item.h !== undefined)
      for (const { hour, product, tally } of entriesOfDay(item)) ofHour(hour).set(product, tally);
  // A week item's hours: where a day item holds one too, the fresher count (both are whole counts).
  for (const item of items)
    if (ITEMS.singlesWeek.matches(item) && item.h !== undefined)
      for (const { hour, product, tally } of entriesOfWeek(item)) {
        const day = held.get(hour)?.get(product);
        if (!day || fresher(tally, day)) ofHour(hour).set(product, tally);
      }
  for (const item of items) {
    if (!isHourlySingles(item)) continue;
    const hour = Date.parse(String(item.bucket));
    const tally: SinglesTally = {
      through: Number(item.through),
      n: Number(item.n ?? 0),
      // Rollups counted before a counter was kept lack it: 0.
      counters: Object.fromEntries(CALL_COUNTERS.map((name) => [name, Number(item[name] ?? 0)])) as CallCounters,
      analytics: Object.fromEntries(ANALYTICS_COUNTERS.map((name) => [name, Number(item[`analytics_${name}`] ?? 0)])) as AnalyticsCounters,
    };
    const day = held.get(hour)?.get(String(item.product));
    if (!day || fresher(tally, day)) ofHour(hour).set(String(item.product), tally);
  }
  return held;
}

/** Of two whole counts of one hour and product: the later `through`, or at the same `through` the larger count (a recount after a late call). */
const fresher = (a: SinglesTally, b: SinglesTally) => a.through > b.through || (a.through === b.through && a.n > b.n);

/**
 * How far each day of the items' periods and days is finished (epoch ms, inclusive): a day item's `f`,
 * or a week item's over every day of its period, whichever is later. The hours up to it are counted
 * (those with no entries had no calls).
 */
export function finishedDays(items: Record<string, unknown>[]): Map<string, number> {
  const finished = new Map<string, number>();
  const upTo = (day: string, f: number) => finished.set(day, Math.max(finished.get(day) ?? -Infinity, f));
  for (const item of items) {
    if (item.f === undefined) continue;
    if (ITEMS.singlesDay.matches(item)) upTo(String(item.sk).slice(0, 10), Number(item.f));
    else if (ITEMS.singlesWeek.matches(item)) {
      const start = weekStartOf(Date.parse(`${String(item.sk).slice(2)}T00:00:00Z`));
      for (let day = start; day <= Number(item.f); day += 86_400_000) upTo(new Date(day).toISOString().slice(0, 10), Number(item.f));
    }
  }
  return finished;
}
