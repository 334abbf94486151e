import type { HttpEvent } from '../shared/http';
import { SESSION_COOKIE } from '../shared/auth/session';
import type { RequestOrigin } from './domain/model';

export function originOf(event: HttpEvent): RequestOrigin {
  return { ip: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent ?? '' };
}

/** HttpOnly, Secure, SameSite=Strict: scripts cannot read it and other sites cannot send it. */
export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`;
}

export const clearedSessionCookie = `${SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0`;
