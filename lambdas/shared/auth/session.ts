import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { UnauthorizedError } from '../errors';
import type { HttpEvent } from '../http';
import { sha256 } from '../crypto';
import { ITEMS } from '../items';
import { type Authenticator, authenticator } from './authenticator';

export const SESSION_COOKIE = 'omn_session';
export const SESSION_TOKEN_PREFIX = 'omn_sess_';

/** The signed-in caller of a session route. */
export interface Principal {
  accountId: string;
  sessionId: string;
  tokenHash: string;
  /** When the session was opened with the password (ISO time): how recently the caller proved who they are. */
  signedInAt: string;
}

/** The session token from the `omn_session` cookie, or from `Authorization: Bearer omn_sess_…`. */
export function sessionTokenOf(event: Pick<HttpEvent, 'cookies' | 'headers'>): string | undefined {
  for (const cookie of event.cookies ?? []) {
    const [name, ...value] = cookie.split('=');
    if (name?.trim() === SESSION_COOKIE) return value.join('=').trim();
  }
  return event.headers?.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

/** Port: a session by the SHA-256 of its token. */
export interface SessionLookup {
  getByTokenHash(tokenHash: string): Promise<{ sessionId: string; accountId: string; expiresAt: number; createdAt: string } | undefined>;
}

/** Resolves a session token to its account, or throws 401. Needs no password hasher: a hash lookup only. */
export async function resolveSession(sessions: SessionLookup, token: string | undefined, now: Date): Promise<Principal> {
  if (!token?.startsWith(SESSION_TOKEN_PREFIX) || token.length > 200)
    throw new UnauthorizedError('Sign in: send the session cookie or a Bearer session token');
  const tokenHash = sha256(token);
  const session = await sessions.getByTokenHash(tokenHash);
  if (!session || session.expiresAt <= Math.floor(now.getTime() / 1000)) throw new UnauthorizedError('Session expired or signed out');
  return { accountId: session.accountId, sessionId: session.sessionId, tokenHash, signedInAt: session.createdAt };
}

/**
 * Sessions at `SESSION#<tokenHash>/SESSION` in the sessions table, read strongly consistent: a session
 * signed out (one, or every one) resolves nothing from the next request on, not after replication.
 */
export function dynamoDbSessionLookup(client: DynamoDBDocumentClient, table: string): SessionLookup {
  return {
    async getByTokenHash(tokenHash) {
      const { Item } = await client.send(new GetCommand({ TableName: table, Key: ITEMS.session.key({ tokenHash }), ConsistentRead: true }));
      return Item
        ? {
            sessionId: String(Item.sessionId),
            accountId: String(Item.accountId),
            expiresAt: Number(Item.expiresAt),
            createdAt: String(Item.createdAt),
          }
        : undefined;
    },
  };
}

/** The authenticator of session routes, reading the sessions table it was bound to. */
export function sessionAuthenticator(sessions: SessionLookup, now: () => Date = () => new Date()): Authenticator<Principal> {
  return authenticator('session', (event) => resolveSession(sessions, sessionTokenOf(event), now()));
}
