import type { Upstream, UpstreamRequest, UpstreamResult } from '../domain/ports';

/** Forwards with Node's fetch; the deadline covers the whole answer, body included. */
export class FetchUpstream implements Upstream {
  async forward(request: UpstreamRequest): Promise<UpstreamResult> {
    const signal = AbortSignal.timeout(request.timeoutMs);
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body && !['GET', 'HEAD'].includes(request.method) ? new Uint8Array(request.body) : undefined,
        redirect: 'manual',
        signal,
      });
      const body = Buffer.from(await response.arrayBuffer());
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      return { kind: 'response', status: response.status, headers, body };
    } catch (error) {
      if (signal.aborted) return { kind: 'timeout' };
      return { kind: 'unreachable', reason: (error as Error).message };
    }
  }
}
