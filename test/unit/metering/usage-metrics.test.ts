import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { LONE_METRICS_EVERY_MS, summedUsageMetrics, usageMetrics } from '../../../lambdas/metering/adapters/powertools-metrics';

const call = (outcome: UsageEvent['outcome'], status: number, priceMicroCredits = 1_500_000) =>
  ({ outcome, status, priceMicroCredits }) as UsageEvent;

describe('usage metrics (EMF, one line per worker batch)', () => {
  it('counts admitted calls, credits spent, refusals by reason and upstream failures', () => {
    const added: [string, number][] = [];
    usageMetrics({ addMetric: (name: string, _unit: unknown, value: number) => void added.push([name, value]) } as never).recorded([
      call('ok', 200),
      call('ok', 404),
      call('refunded', 502),
      call('rejected', 402, 0),
      call('rejected', 429, 0),
      call('rejected', 429, 0),
    ]);
    expect(Object.fromEntries(added)).toEqual({
      MeteredCalls: 3,
      CreditsSpent: 3,
      RejectedInsufficientCredit: 1,
      RejectedRateLimited: 2,
      UpstreamFailures: 1,
    });
  });

  it('counts no call for a batch of redeliveries (every batch flushes a metric)', () => {
    const added: unknown[] = [];
    usageMetrics({ addMetric: (name: string, _unit: unknown, value: number) => void added.push([name, value]) } as never).recorded([]);
    expect(added).toEqual([['MeteredCalls', 0]]);
  });

  it("sums the gateway's lone calls and writes one line a minute at most, holding every call's figures", () => {
    let clock = 0;
    const lines: Record<string, number>[] = [];
    let added: Record<string, number> = {};
    const target = {
      addMetric: (name: string, _unit: unknown, value: number) => void (added[name] = value),
      publishStoredMetrics: () => {
        lines.push(added);
        added = {};
      },
    };
    const metrics = summedUsageMetrics(target as never, () => clock);
    for (let second = 0; second < 150; second += 10) {
      clock = second * 1000;
      metrics.recorded([call('ok', 200, 2_000_000)]);
    }
    // Fifteen calls over 150 s: a line at 60 s (seven calls) and one at 120 s (six); the last two wait for the next call.
    expect(lines.map((line) => line.MeteredCalls)).toEqual([7, 6]);
    expect(lines[0]).toMatchObject({ CreditsSpent: 14, UpstreamFailures: 0 });
    expect(LONE_METRICS_EVERY_MS).toBe(60_000);
  });
});
