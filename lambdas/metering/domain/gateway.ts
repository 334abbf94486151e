import type { Catalog } from '../catalog';
import { clip } from '../../shared/clip';
import { microToCredits } from '../../shared/credits';
import { errorBody } from '../../shared/errors';
import { NEVER_FORWARDED } from '../catalog';
import { isLoneCall, type LoneCalls, type LoneRecording } from './lone-calls';
import type { UsageEvent } from './model';
import type { KeyResolver, Meter, Upstream, UsagePublisher } from './ports';

export interface GatewayRequest {
  requestId: string;
  /** The presented API key, from `Authorization: Bearer` or `x-api-key`. */
  secret?: string;
  product: string;
  /** Path below the product (`{proxy+}`), already decoded. */
  path: string;
  /** The path as the client sent it, still percent-encoded: encoded slashes and dots hide there. */
  rawPath?: string;
  method: string;
  rawQuery: string;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
  body?: Buffer;
  ip: string;
  userAgent: string;
  receivedAt: Date;
}

export interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  /** An upstream body, or the JSON error. */
  body: Buffer;
}

export interface GatewayDeps {
  keys: KeyResolver;
  meter: Meter;
  upstream: Upstream;
  usage: UsagePublisher;
  catalog: Catalog;
  /** Where each product's upstream lives; `builtin:echo` is resolved by the wiring. */
  upstreamBase: (product: string) => string;
  now: () => Date;
  /**
   * Called when a usage event could not be queued even after the SDK's retries. The call was
   * already answered (and debited), so the event must be kept somewhere durable to be replayed.
   */
  onUnqueuedEvent: (event: UsageEvent, error: unknown) => void;
  /** Records a lone call (after a long silence of its account) in the usage store instead of queueing it. */
  loneCalls?: LoneCalls;
  /** Called when a lone call could not be recorded directly: it is queued instead. */
  onLoneCallError?: (event: UsageEvent, error: unknown) => void;
}

/** Upstream answer headers passed back to the caller; everything else stays behind. */
const RETURNED_HEADERS = ['content-type', 'content-language', 'cache-control', 'etag', 'last-modified'];

/**
 * The metered hot path: resolve the key, admit-and-debit in one conditional write, forward, publish
 * one usage event — or, for a lone call after a long silence of its account, record it in the usage
 * store (see lone-calls.ts). A refused call costs nothing; an upstream failure is answered 502/504 and its
 * debit is refunded by the usage worker, which reads `outcome: 'refunded'` from the event.
 */
export class Gateway {
  constructor(private readonly deps: GatewayDeps) {}

  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const started = Date.now();
    const base = { 'x-request-id': request.requestId };
    // Checked first, before any lookup or debit: a path that could leave the product's base is refused, free.
    if (!safePath(request))
      return error(400, 'invalid_path', 'The path may not contain "." or ".." segments, backslashes or encoded slashes', base);
    if (!METERED_METHODS.has(request.method)) {
      return error(
        405,
        'method_not_allowed',
        `${request.method.slice(0, 20)} is not a method products answer; use ${[...METERED_METHODS].join(', ')}`,
        { ...base, allow: [...METERED_METHODS].join(', ') },
      );
    }
    if (!request.secret) return error(401, 'unauthorized', 'Send your API key as Authorization: Bearer omn_live_… or x-api-key', base);
    const key = await this.deps.keys.resolve(request.secret);
    if (!key) return error(401, 'invalid_key', 'This API key is unknown, revoked or past its grace period', base);
    if (key.suspended)
      return error(
        403,
        'account_suspended',
        'This account is suspended: contact support@omnapi.com. You can still sign in and read your data.',
        base,
      );
    const product = this.deps.catalog.products[request.product];
    if (!product) return error(404, 'unknown_product', `No product named ${request.product}`, base);
    const plan = this.deps.catalog.plans[key.plan] ?? this.deps.catalog.plans.free!;

    const now = request.receivedAt;
    const decision = await this.deps.meter.admit({
      accountId: key.accountId,
      priceMicro: product.priceMicroCredits,
      limitPerMinute: plan.requestsPerMinute,
      now,
      shards: plan.balanceShards,
    });
    // On a sharded plan the write saw one shard's balance, not the account's: no header claims it, and the worker reads the total itself.
    const credits = (micro: number): Record<string, string> => (decision.partial ? {} : { 'x-credits-remaining': microToCredits(micro) });
    const limitHeaders = {
      ...base,
      'x-ratelimit-limit': String(plan.requestsPerMinute),
      'x-ratelimit-remaining': String(Math.max(0, plan.requestsPerMinute - decision.used)),
      'x-ratelimit-reset': String(decision.resetAt),
    };
    const event: Omit<UsageEvent, 'status' | 'outcome' | 'latencyMs' | 'responseBytes'> = {
      v: 1,
      requestId: request.requestId,
      accountId: key.accountId,
      keyId: key.keyId,
      product: request.product,
      method: request.method,
      path: clip(`/${request.path}`, 1024),
      priceMicroCredits: product.priceMicroCredits,
      requestBytes: request.body?.length ?? 0,
      ip: request.ip,
      userAgent: clip(request.userAgent, 512),
      at: now.toISOString(),
      ...(decision.partial ? {} : { balanceMicro: decision.balanceMicro }),
      ...(decision.noticeArmed === undefined ? {} : { noticeArmed: decision.noticeArmed }),
      ...(decision.admitted ? { seq: decision.seq } : {}),
      used: decision.used,
      // After a long silence (the same write's lastCallAt tells it): recorded here rather than queued, kept in its day's slot.
      ...(decision.admitted && !decision.partial && isLoneCall(now, decision.previousCallAt) ? { lone: true as const } : {}),
    };

    if (!decision.admitted) {
      const retryAfter = Math.max(1, decision.resetAt - Math.floor(this.deps.now().getTime() / 1000));
      const response =
        decision.reason === 'rate_limited'
          ? error(429, 'rate_limited', `Over ${plan.requestsPerMinute} calls a minute; retry in ${retryAfter} s`, {
              ...limitHeaders,
              'retry-after': String(retryAfter),
              ...credits(decision.balanceMicro),
            })
          : error(
              402,
              'insufficient_credit',
              `This call costs ${microToCredits(product.priceMicroCredits)} credits; the balance is ${microToCredits(decision.balanceMicro)}. ` +
                'Buy credits: GET /v1/billing/packs lists the packs, POST /v1/billing/checkout {"pack": "<id>"} opens Stripe Checkout.',
              { ...limitHeaders, ...credits(decision.balanceMicro) },
            );
      await this.publish(event, response, 'rejected', started);
      return response;
    }
    // A call after a long silence is recorded here, not queued: its settings are read while the upstream answers.
    const lone =
      this.deps.loneCalls && event.lone ? this.deps.loneCalls.begin(key.accountId, decision.balanceMicro, decision.noticeArmed) : undefined;

    const forwarded = Object.fromEntries(
      product.passHeaders
        .filter((h) => !NEVER_FORWARDED.includes(h) && request.headers[h] !== undefined)
        .map((h) => [h, request.headers[h]!]),
    );
    forwarded['x-request-id'] = request.requestId;
    const url = upstreamUrl(this.deps.upstreamBase(request.product), request.path, request.rawQuery);
    const upstreamStarted = Date.now();
    const result = await this.deps.upstream.forward({
      url,
      method: request.method,
      headers: forwarded,
      body: request.body,
      timeoutMs: product.timeoutMs,
    });
    const upstreamLatencyMs = Date.now() - upstreamStarted;

    let response: GatewayResponse;
    let outcome: UsageEvent['outcome'] = 'ok';
    // A refunded call's credit is back as soon as the worker runs; the header says so now.
    const refunded = credits(decision.balanceMicro + product.priceMicroCredits);
    if (result.kind === 'timeout') {
      outcome = 'refunded';
      response = error(504, 'upstream_timeout', `${request.product} did not answer within ${product.timeoutMs} ms; you were not charged`, {
        ...limitHeaders,
        ...refunded,
      });
    } else if (result.kind === 'unreachable' || result.status >= 500) {
      outcome = 'refunded';
      const detail = result.kind === 'unreachable' ? 'could not be reached' : `failed (HTTP ${result.status})`;
      response = error(502, 'upstream_error', `${request.product} ${detail}; you were not charged`, { ...limitHeaders, ...refunded });
    } else {
      const returned = Object.fromEntries(
        RETURNED_HEADERS.filter((h) => result.headers[h] !== undefined).map((h) => [h, result.headers[h]!]),
      );
      response = { status: result.status, headers: { ...returned, ...limitHeaders, ...credits(decision.balanceMicro) }, body: result.body };
    }
    await this.publish({ ...event, upstreamLatencyMs }, response, outcome, started, lone);
    return response;
  }

  private async publish(
    event: Omit<UsageEvent, 'status' | 'outcome' | 'latencyMs' | 'responseBytes'>,
    response: GatewayResponse,
    outcome: UsageEvent['outcome'],
    started: number,
    lone?: LoneRecording,
  ) {
    const complete: UsageEvent = {
      ...event,
      status: response.status,
      outcome,
      latencyMs: Date.now() - started,
      responseBytes: response.body.length,
    };
    if (lone) {
      try {
        if (await lone.record(complete)) return;
      } catch (error) {
        // Queued as any call: if the write was made after all, the worker finds the call in its slot and drops the copy.
        this.deps.onLoneCallError?.(complete, error);
      }
    }
    try {
      await this.deps.usage.publish(complete);
    } catch (error) {
      // The caller still gets the answer they paid for; the event goes to the durable fallback.
      this.deps.onUnqueuedEvent(complete, error);
    }
  }
}

/** The methods a metered call may use; anything else (TRACE, CONNECT, WebDAV's…) is refused before the key is looked up, free. */
export const METERED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** No `.`/`..` segment, backslash, NUL, or encoded slash, dot segment or backslash in the raw path. */
export function safePath(request: Pick<GatewayRequest, 'path' | 'rawPath'>): boolean {
  if (/[\\\0]/.test(request.path)) return false;
  if (request.path.split('/').some((segment) => segment === '.' || segment === '..')) return false;
  return !/%2f|%5c|%00|(^|\/)(%2e|\.){1,2}(\/|$)/i.test(request.rawPath ?? '');
}

/**
 * The upstream URL: each path segment encoded under the product's base, and the result checked to
 * be under that base, so no input can reach another path on the upstream's host.
 */
export function upstreamUrl(base: string, path: string, rawQuery: string): string {
  const root = new URL(`${base.replace(/\/$/, '')}/`);
  const url = new URL(`${root.href}${path.split('/').map(encodeURIComponent).join('/')}${rawQuery ? `?${rawQuery}` : ''}`);
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) throw new Error(`Upstream URL left its base: ${url.pathname}`);
  return url.href;
}

function error(status: number, code: string, message: string, headers: Record<string, string>): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from(JSON.stringify(errorBody(code, message))),
  };
}
