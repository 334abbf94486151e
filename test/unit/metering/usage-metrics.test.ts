import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { usageMetrics } from '../../../lambdas/metering/adapters/powertools-metrics';

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
});
