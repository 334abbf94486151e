import { containersOf, type DrainModel, deliveryBatches, drainBatches } from '../../../bench/load';

const drain: DrainModel = { kind: 'drain', everySeconds: 60, batchSize: 100, lanes: 4 };

describe('drainBatches', () => {
  it('gives each run, on the clock, what was sent before it, in batches of the batch size', () => {
    // 250 messages in the first minute (from 10 s past it), 30 in the second; a run at each minute's end.
    const messages = [
      ...Array.from({ length: 250 }, (_, i) => ({ at: 60_000 + 10_000 + i * 100, item: `a${i}` })),
      ...Array.from({ length: 30 }, (_, i) => ({ at: 120_000 + i * 1_000, item: `b${i}` })),
    ];
    const { batches, receives } = drainBatches(messages, drain);
    expect(batches.map((b) => [b.closedAt, b.items.length])).toEqual([
      [120_000, 100],
      [120_000, 100],
      [120_000, 50],
      [180_000, 30],
    ]);
    expect(batches.flatMap((b) => b.items)).toEqual(messages.map((m) => m.item));
    // Ten a receive, and each run's lanes end on one more.
    expect(receives).toBe(25 + 4 + 3 + 4);
    expect(new Set(batches.map((b) => b.poller))).toEqual(new Set([0]));
  });

  it('is what deliveryBatches does for a drain, with one container', () => {
    const messages = Array.from({ length: 15 }, (_, i) => ({ at: i * 1_000, item: i }));
    expect(deliveryBatches(messages, drain)).toEqual(drainBatches(messages, drain));
    expect(containersOf(drain)).toBe(1);
    expect(containersOf({ pollers: 5, batchSize: 1000, windowSeconds: 30, receiveRoundTripMs: 20 })).toBe(5);
  });
});
