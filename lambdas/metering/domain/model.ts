/** One metered call as the gateway saw it: metadata only — never keys, cookies or bodies. */
export interface UsageEvent {
  v: 1;
  requestId: string;
  accountId: string;
  keyId: string;
  product: string;
  method: string;
  /** Path below the product, without the query string. */
  path: string;
  /** What the caller got. */
  status: number;
  /** 'ok' admitted and answered; 'refunded' admitted but the upstream failed; 'rejected' refused before any debit. */
  outcome: 'ok' | 'refunded' | 'rejected';
  priceMicroCredits: number;
  latencyMs: number;
  upstreamLatencyMs?: number;
  requestBytes: number;
  responseBytes: number;
  ip: string;
  userAgent: string;
  /** ISO time the call arrived. */
  at: string;
  /** The balance the gateway's admit write left (or found, when it refused): the worker's low-balance notice reads it. */
  balanceMicro?: number;
}

/** What the single conditional write decided; `resetAt` is when its rate window ends (epoch seconds). */
export type MeterDecision =
  | { admitted: true; balanceMicro: number; used: number; resetAt: number }
  | { admitted: false; reason: 'insufficient_credit' | 'rate_limited'; balanceMicro: number; used: number; resetAt: number };
