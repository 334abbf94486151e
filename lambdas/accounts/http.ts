import { UnauthorizedError } from '../shared/errors';
import { type HttpEvent, header } from '../shared/http';
import type { Principal } from './domain/accounts';
import type { RequestOrigin } from './domain/model';
import { accountService } from './wiring';

export const SESSION_COOKIE = 'omn_session';

/** The session token from the `omn_session` cookie, or from `Authorization: Bearer omn_sess_…`. */
export function sessionTokenOf(event: HttpEvent): string | undefined {
  for (const cookie of event.cookies ?? []) {
    const [name, ...value] = cookie.split('=');
    if (name?.trim() === SESSION_COOKIE) return value.join('=').trim();
  }
  const authorization = header(event, 'authorization');
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** httpHandler's `authenticate` for session routes: 401 unless the token names a live session. */
export async function requireSession(event: HttpEvent): Promise<Principal> {
  const token = sessionTokenOf(event);
  if (!token) throw new UnauthorizedError('Sign in: send the session cookie or a Bearer session token');
  return accountService.authenticate(token);
}

export function originOf(event: HttpEvent): RequestOrigin {
  return { ip: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent ?? '' };
}

/** HttpOnly, Secure, SameSite=Strict: scripts cannot read it and other sites cannot send it. */
export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`;
}

export const clearedSessionCookie = `${SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0`;
