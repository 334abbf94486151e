import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { MiddlewareObj, Request } from '@middy/core';
import { ForbiddenError, ServiceUnavailableError } from '../errors';
import type { HttpEvent, HttpResponse } from '../http';
import { logger } from '../logger';

/** The header the edge (a Cloudflare request-header transform rule) adds to every request it forwards. */
export const ORIGIN_SECRET_HEADER = 'x-omnapi-origin-secret';
/** The caller's address as the edge saw it; trusted only on requests that proved they came through the edge. */
export const EDGE_CLIENT_IP_HEADER = 'cf-connecting-ip';

export interface OriginGuardOptions {
  /** Reads the secret's text: one accepted value per line, so a rotation can hold the old and the new value at once. */
  load: () => Promise<string>;
  /** How long read values are trusted before they are read again. @default 300000 (5 minutes) */
  refreshMs?: number;
  now?: () => number;
}

/**
 * Refuses requests that did not come through the edge. With an origin secret configured, a request
 * must carry it in `x-omnapi-origin-secret` (compared in constant time) or it is answered 403; a
 * request that carries it has its `sourceIp` replaced by `CF-Connecting-IP`, so throttles, security
 * events and usage logs see the real caller instead of the edge. Without a secret there is no edge to
 * trust and `sourceIp` stays the connection's address.
 */
export class OriginGuard {
  private values?: { digests: Buffer[]; first: string; readAt: number };
  private loading?: Promise<void>;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OriginGuardOptions) {
    this.refreshMs = options.refreshMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The guard the environment asks for: ORIGIN_SECRET_ARN (deployed, read from Secrets Manager),
   * ORIGIN_SECRET (the local runtime, from the template), or none.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): OriginGuard | undefined {
    if (env.ORIGIN_SECRET_ARN) {
      const arn = env.ORIGIN_SECRET_ARN;
      // Loaded on first use only, so functions without the setting never load the Secrets Manager client.
      return new OriginGuard({ load: async () => (await import('../adapters/secrets')).readSecretString(arn) });
    }
    if (env.ORIGIN_SECRET) {
      const value = env.ORIGIN_SECRET;
      return new OriginGuard({ load: async () => value });
    }
    return undefined;
  }

  /** Whether the request proved it came through the edge; on success its `sourceIp` is the edge's caller. */
  async admits(event: Pick<HttpEvent, 'headers' | 'requestContext'>): Promise<boolean> {
    const presented = event.headers?.[ORIGIN_SECRET_HEADER];
    if (presented === undefined) return false;
    const { digests } = await this.current();
    const digest = sha256(presented);
    // Every accepted value is compared, so the time taken does not tell which one nearly matched.
    let matched = false;
    for (const accepted of digests) matched = timingSafeEqual(digest, accepted) || matched;
    if (!matched) return false;
    const edgeCaller = event.headers?.[EDGE_CLIENT_IP_HEADER]?.trim();
    if (edgeCaller && isIP(edgeCaller)) event.requestContext.http.sourceIp = edgeCaller;
    return true;
  }

  /** The value this platform sends when it calls itself through the edge's host (the demo echo): the first line. */
  async secret(): Promise<string> {
    return (await this.current()).first;
  }

  private async current(): Promise<{ digests: Buffer[]; first: string }> {
    const stale = !this.values || this.now() - this.values.readAt >= this.refreshMs;
    if (stale) {
      this.loading ??= this.read().finally(() => (this.loading = undefined));
      if (!this.values) await this.loading;
      // A stale copy keeps answering while the new one is read; a failed refresh keeps it (logged).
      else this.loading.catch(() => undefined);
    }
    return this.values!;
  }

  private async read(): Promise<void> {
    try {
      const lines = (await this.options.load())
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
      if (lines.length === 0) throw new Error('the origin secret is empty');
      this.values = { digests: lines.map(sha256), first: lines[0]!, readAt: this.now() };
    } catch (error) {
      logger.error('Origin secret could not be read', error as Error);
      if (!this.values)
        throw new ServiceUnavailableError(
          'The API cannot check where this request came from right now; try again shortly.',
          'service_unavailable',
          { cause: error },
        );
    }
  }
}

/** A request that did not come through the edge. */
export class DirectAccessError extends ForbiddenError {
  override readonly code: string = 'direct_access_forbidden';
  constructor() {
    super('This API answers only requests that come through its public address.');
    this.name = 'DirectAccessError';
  }
}

/**
 * middy middleware: requests that did not come through the edge are refused 403 (`DirectAccessError`)
 * before any of the handler's code runs; `httpHandler` installs it when the environment names an
 * origin secret.
 */
export function behindEdge(guard: OriginGuard): MiddlewareObj<HttpEvent, HttpResponse> {
  const behindEdgeMiddlewareBefore = async (request: Request<HttpEvent, HttpResponse>) => {
    if (!(await guard.admits(request.event))) throw new DirectAccessError();
  };
  return { before: behindEdgeMiddlewareBefore };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
