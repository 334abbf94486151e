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

/**
 * An admitted call of an account that is not busy (one call so far in its minute), by sequence
 * number; products alternate so counts per product are told apart. `over` changes any field.
 */
export function slotCall(accountId: string, seq: number, at: number, over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    v: 1,
    requestId: `req_${accountId}_${seq}`,
    accountId,
    keyId: 'key_1',
    product: seq % 3 ? 'echo' : 'maps',
    method: 'GET',
    path: `/p/${seq}`,
    status: 200,
    outcome: 'ok',
    priceMicroCredits: 1_000,
    latencyMs: 12,
    upstreamLatencyMs: 9,
    requestBytes: 3,
    responseBytes: 80,
    ip: '198.51.100.7',
    userAgent: 'python-requests/2.32.3',
    at: new Date(at).toISOString(),
    seq,
    used: 1,
    ...over,
  };
}
