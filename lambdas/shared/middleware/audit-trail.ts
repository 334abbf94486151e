import { clip } from '../clip';
import type { MiddlewareObj, Request } from '@middy/core';
import type { AuditAction, AuditActor, AuditTarget, AuditTrail } from '../audit';
import type { HttpEvent, HttpResponse } from '../http';
import { logger } from '../logger';

export interface AuditTrailOptions {
  trail: AuditTrail;
  action: AuditAction;
  /** The kind of thing the route's `{id}` path parameter names (`key`, `session`, `request`). */
  target?: string;
}

/**
 * The time an invocation keeps back from its audit event's append for its answer to go out: a stream
 * many writers append to at once takes turns, and waiting longer would turn the action (done by then)
 * into a timeout — a 500, which a client retries (a second key, a second change).
 */
export const AUDIT_RESERVE_MS = 1_000;

/** What a route's logic may add to its audit event: the thing it created, and a small before → after. */
export interface AuditNote {
  targets?: AuditTarget[];
  change?: { before?: unknown; after?: unknown };
  /** The action that happened, when the route's link does one of several (a verify link confirms, changes or unlocks). */
  action?: AuditAction;
  /**
   * On a public route, the account holder the logic recognised by what they hold (a mailed link):
   * the account, and how (`link:<purpose>`).
   */
  by?: { accountId: string; via: string };
}

/** The caller as the session and key authenticators resolve it. */
interface Caller {
  accountId?: string;
  sessionId?: string;
}

/**
 * middy middleware: after a successful (2xx) answer, writes the route's audit event — the caller
 * (account and session), the action, the account and the thing the path names (and what the logic
 * noted in `event.audit`), the address, user agent and request id. The action has already happened,
 * so a failed write does not turn it into an error for the caller: it is logged at error level with
 * the whole event (the error-log alarm sees it; the event can be replayed from the log). Nor does a
 * slow one: the append gives up `AUDIT_RESERVE_MS` before the invocation's time is up, logged the same.
 */
export function auditTrail(opts: AuditTrailOptions): MiddlewareObj<HttpEvent, HttpResponse> {
  const auditTrailMiddlewareAfter = async (request: Request<HttpEvent, HttpResponse>) => {
    const status = request.response?.statusCode ?? 0;
    if (status < 200 || status > 299) return;
    const event = request.event as HttpEvent & {
      principal?: Caller;
      audit?: AuditNote;
      pathParameters?: Record<string, string | undefined>;
    };
    const caller = event.principal ?? {};
    const by = event.audit?.by;
    // A public route's logic notes what happened; a success it noted nothing for changed nothing (a neutral answer).
    if (!caller.accountId && !event.audit) return;
    const actor: AuditActor = caller.accountId
      ? { type: 'account', id: caller.accountId, via: caller.sessionId ? `session:${caller.sessionId}` : undefined }
      : by
        ? { type: 'account', id: by.accountId, via: by.via }
        : { type: 'system', id: 'anonymous' };
    const account = caller.accountId ?? by?.accountId;
    const pathId = opts.target ? event.pathParameters?.id : undefined;
    const targets: AuditTarget[] = [
      ...(account ? [{ type: 'account', id: account }] : []),
      ...(pathId && opts.target ? [{ type: opts.target, id: pathId }] : []),
      ...(event.audit?.targets ?? []),
    ];
    const record = {
      actor,
      action: event.audit?.action ?? opts.action,
      targets,
      context: {
        ip: event.requestContext.http.sourceIp,
        userAgent: clip(event.requestContext.http.userAgent ?? '', 512),
        requestId: event.requestContext.requestId,
      },
      change: event.audit?.change,
      at: new Date().toISOString(),
    };
    // The append waits its turn on the stream; it must not outlast the invocation and turn the action it records into a 500.
    const remaining = request.context?.getRemainingTimeInMillis?.();
    const signal = remaining === undefined ? undefined : AbortSignal.timeout(Math.max(0, remaining - AUDIT_RESERVE_MS));
    try {
      await opts.trail.record(record, { signal });
    } catch (error) {
      logger.error(
        signal?.aborted ? 'Audit event not written in time; replay it from this log' : 'Audit event not written; replay it from this log',
        {
          auditEvent: record,
          error: error as Error,
        },
      );
    }
  };
  return { after: auditTrailMiddlewareAfter };
}
