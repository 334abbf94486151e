import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { ROLL_GRACE_SECONDS } from '../domain/keys';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { keysWiring } from '../wiring';

/** API keys: create (secret shown once), list, revoke, roll. Always the caller's own keys. */
export const handler = httpRoutes(
  route(accountRoutes.createKey, async (event) => {
    await keysWiring().accountService.requireRecentSignIn(event.principal, event.input.body.currentPassword, originOf(event));
    const { key, secret } = await keysWiring().keyService.create(event.principal.accountId, event.input.body.name, originOf(event));
    event.audit = { targets: [{ type: 'key', id: key.keyId }], change: { after: { name: key.name } } };
    return json(201, { ...key, secret, notice: 'Store this secret now: it is not shown again.' });
  }),
  route(accountRoutes.listKeys, async (event) => json(200, { keys: await keysWiring().keyService.list(event.principal.accountId) })),
  route(accountRoutes.revokeKey, async (event) => {
    await keysWiring().keyService.revoke(event.principal.accountId, event.input.path.id, originOf(event));
    return json(204);
  }),
  route(accountRoutes.rollKey, async (event) => {
    // A new secret is lasting access, as a new key is (and outlives a password reset): a stolen older session cannot mint one.
    await keysWiring().accountService.requireRecentSignIn(event.principal, event.input.body.currentPassword, originOf(event));
    const rolled = await keysWiring().keyService.roll(event.principal.accountId, event.input.path.id, originOf(event));
    event.audit = { targets: [{ type: 'key', id: rolled.key.keyId }] };
    return json(201, { ...rolled.key, secret: rolled.secret, previous: rolled.previous, graceSeconds: ROLL_GRACE_SECONDS });
  }),
);
