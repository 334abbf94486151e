import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { SESSION_TTL_SECONDS } from '../domain/accounts';
import { originOf, sessionCookie } from '../http';
import { accountRoutes } from '../routes';
import { signInWiring } from '../wiring';

/** `POST /v1/auth/login`: sets the session cookie and returns the token for bearer use. */
export const handler = httpRoutes(
  route(accountRoutes.login, async (event) => {
    const { token, session } = await signInWiring().accountService.login(event.input.body, originOf(event));
    return {
      ...json(200, {
        token,
        sessionId: session.sessionId,
        accountId: session.accountId,
        expiresAt: new Date(session.expiresAt * 1000).toISOString(),
      }),
      cookies: [sessionCookie(token, SESSION_TTL_SECONDS)],
    };
  }),
);
