import type { UsageEvent } from '../../lambdas/metering/domain/model';

/**
 * A served call's usage event as the gateway queues it: the `i`th call of `accountId` (sequence
 * number `i + 1`) at `at`, `used` being its minute's count so far (what decides slot or page).
 */
export function usageEvent(accountId: string, i: number, at: Date | number, used = 1, product = 'echo'): UsageEvent {
  return {
    v: 1,
    requestId: `req_${accountId}_${i}`,
    accountId,
    keyId: 'key_1',
    product,
    method: 'GET',
    path: `/p/${i}`,
    status: 200,
    outcome: 'ok',
    priceMicroCredits: 1_000,
    latencyMs: 10,
    requestBytes: 0,
    responseBytes: 50,
    ip: '198.51.100.7',
    userAgent: 'jest',
    at: new Date(at).toISOString(),
    seq: i + 1,
    used,
  };
}
