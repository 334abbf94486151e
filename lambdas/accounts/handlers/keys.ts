import { json } from '../../shared/http';
import { httpHandler, httpRoutes } from '../../shared/middleware/http-handler';
import { ROLL_GRACE_SECONDS } from '../domain/keys';
import { originOf, requireSession } from '../http';
import { CreateKeyBody, IdPath } from '../schemas';
import { keyService } from '../wiring';

/** API keys: create (secret shown once), list, revoke, roll. Always the caller's own keys. */
export const handler = httpRoutes({
  'POST /v1/keys': httpHandler(
    async (event) => {
      const { key, secret } = await keyService.create(event.principal.accountId, event.input.body.name, originOf(event));
      return json(201, { ...key, secret, notice: 'Store this secret now: it is not shown again.' });
    },
    { authenticate: requireSession, body: CreateKeyBody },
  ),
  'GET /v1/keys': httpHandler(async (event) => json(200, { keys: await keyService.list(event.principal.accountId) }), {
    authenticate: requireSession,
  }),
  'DELETE /v1/keys/{id}': httpHandler(
    async (event) => {
      await keyService.revoke(event.principal.accountId, event.input.path.id, originOf(event));
      return json(204);
    },
    { authenticate: requireSession, path: IdPath },
  ),
  'POST /v1/keys/{id}/roll': httpHandler(
    async (event) => {
      const rolled = await keyService.roll(event.principal.accountId, event.input.path.id, originOf(event));
      return json(201, { ...rolled.key, secret: rolled.secret, previous: rolled.previous, graceSeconds: ROLL_GRACE_SECONDS });
    },
    { authenticate: requireSession, path: IdPath },
  ),
});
