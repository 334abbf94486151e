import type { Upstream, UpstreamRequest, UpstreamResult } from '../domain/ports';

/** Headers added to requests under one base URL only (the platform's own demo upstream). */
export interface OwnUpstream {
  base: string;
  headers: () => Promise<Record<string, string>>;
}

/** Forwards with Node's fetch; the deadline covers the whole answer, body included. */
export class FetchUpstream implements Upstream {
  constructor(private readonly own?: OwnUpstream) {}

  async forward(request: UpstreamRequest): Promise<UpstreamResult> {
    const signal = AbortSignal.timeout(request.timeoutMs);
    try {
      const own =
        this.own && (request.url === this.own.base || request.url.startsWith(`${this.own.base}/`)) ? await this.own.headers() : {};
      const response = await fetch(request.url, {
        method: request.method,
        headers: { ...request.headers, ...own },
        body: request.body && !['GET', 'HEAD'].includes(request.method) ? new Uint8Array(request.body) : undefined,
        redirect: 'manual',
        signal,
      });
      const body = Buffer.from(await response.arrayBuffer());
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return { kind: 'response', status: response.status, headers, body };
    } catch (error) {
      if (signal.aborted) return { kind: 'timeout' };
      return { kind: 'unreachable', reason: (error as Error).message };
    }
  }
}
