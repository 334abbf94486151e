import { decodeTally, encodeTally, type SinglesTally } from '../../../lambdas/shared/adapters/singles-day';
import { CALL_COUNTERS } from '../../../lambdas/shared/usage-counters';

/**
 * A day's singles rollup keeps each hour and product as a string of numbers. Its entries live as long as
 * the rollups, so a version that keeps one more counter per call reads entries written before it: the
 * new counter must read as 0 and every other number keep its meaning.
 */
describe('the day singles rollup’s entries across a new call counter', () => {
  const tally: SinglesTally = {
    through: 1_796_212_799_999,
    n: 3,
    counters: Object.fromEntries(CALL_COUNTERS.map((name, i) => [name, 10 + i])) as SinglesTally['counters'],
    analytics: { calls: 2, chargedMicro: 2_000 },
  };

  /** `decodeTally` of a version whose CALL_COUNTERS has `added` appended. */
  function decodeWithCounterAdded(value: string, added: string): ReturnType<typeof decodeTally> {
    let decode: typeof decodeTally | undefined;
    jest.isolateModules(() => {
      jest.doMock('../../../lambdas/shared/usage-counters', () => {
        const actual = jest.requireActual('../../../lambdas/shared/usage-counters');
        return { ...actual, CALL_COUNTERS: [...actual.CALL_COUNTERS, added] };
      });
      decode = require('../../../lambdas/shared/adapters/singles-day').decodeTally;
    });
    jest.dontMock('../../../lambdas/shared/usage-counters');
    return decode!(value);
  }

  it('reads an entry written before a counter was added: the new one 0, the analytics unchanged', () => {
    const read = decodeWithCounterAdded(encodeTally(tally), 'rejectedOther');
    expect(read.through).toBe(tally.through);
    expect(read.n).toBe(3);
    expect(read.counters).toEqual({ ...tally.counters, rejectedOther: 0 });
    expect(read.analytics).toEqual({ calls: 2, chargedMicro: 2_000 });
  });

  it('reads an entry of the day rollup’s first version (no `/`: eleven call counters, then the analytics)', () => {
    const first = [tally.through, 3, ...CALL_COUNTERS.map((name) => tally.counters[name]), 2, 2_000].join(' ');
    expect(decodeTally(first)).toEqual(tally);
    expect(decodeWithCounterAdded(first, 'rejectedOther')).toEqual({ ...tally, counters: { ...tally.counters, rejectedOther: 0 } });
  });

  it('reads back what it writes', () => {
    expect(decodeTally(encodeTally(tally))).toEqual(tally);
  });
});
