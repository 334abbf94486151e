import type { ResolvedKey } from './keys';
import type { MeterDecision, UsageEvent } from './model';

export interface KeyResolver {
  resolve(secret: string): Promise<ResolvedKey | undefined>;
}

/** Admits a call under its rate limit and debits its price in one atomic step, or refuses both. */
export interface Meter {
  admit(input: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date; shards?: number }): Promise<MeterDecision>;
}

export interface UpstreamRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
}

export type UpstreamResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; reason: string };

export interface Upstream {
  forward(request: UpstreamRequest): Promise<UpstreamResult>;
}

export interface UsagePublisher {
  publish(event: UsageEvent): Promise<void>;
}
