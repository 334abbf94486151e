import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../../../lambdas/shared/crypto';
import { ITEMS } from '../../../lambdas/shared/items';
import type { LambdaHttpHandler } from '../../../lambdas/shared/middleware/http-stack';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** `PATCH /v1/account` from two tabs at once, each changing its own field, through the real handler and local DynamoDB. */
describe('concurrent corrections of the profile', () => {
  let dynamo: LocalDynamo;
  let handler: LambdaHttpHandler;
  const token = `omn_sess_${'p'.repeat(40)}`;
  const accountId = 'acc_concurrent00000000000001';

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      TABLE_ACCOUNTS: 'accounts',
      TABLE_SESSIONS: 'sessions',
      TABLE_TOKENS: 'tokens',
      TABLE_SECURITY_EVENTS: 'securityEvents',
      TABLE_AUDIT_EVENTS: 'auditEvents',
      MAIL_FROM: 'no-reply@omnapi.com',
      PUBLIC_URL: 'http://localhost:4000',
    });
    handler = require('../../../lambdas/accounts/handlers/account').handler;
    const now = new Date().toISOString();
    await dynamo.client.send(
      new PutCommand({
        TableName: 'sessions',
        Item: {
          ...ITEMS.session.key({ tokenHash: sha256(token) }),
          sessionId: 'ses_1',
          accountId,
          createdAt: now,
          signedInAt: now,
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
        },
      }),
    );
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await dynamo.stop();
  });

  const patch = (body: Record<string, unknown>) =>
    handler(
      {
        ...httpEvent({
          method: 'PATCH',
          path: '/v1/account',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
        routeKey: 'PATCH /v1/account',
      },
      lambdaContext,
    );

  const stored = async () =>
    (await dynamo.client.send(new GetCommand({ TableName: 'accounts', Key: ITEMS.account.key({ accountId }) }))).Item as {
      name: string;
      profile?: Record<string, string>;
    };

  async function seed(profile: Record<string, string> | undefined): Promise<void> {
    await dynamo.client.send(
      new PutCommand({
        TableName: 'accounts',
        Item: {
          ...ITEMS.account.key({ accountId }),
          accountId,
          email: 'tabs@example.org',
          name: 'Tabs',
          emailVerified: true,
          ...(profile ? { profile } : {}),
          preferences: { productUpdates: false, analytics: true },
          plan: 'free',
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );
  }

  it('keeps every field of corrections sent at the same moment, each to its own field', async () => {
    // Several rounds: one interleaving where both read before either writes is enough to lose a field.
    for (let round = 0; round < 5; round++) {
      await seed({ bio: 'kept', website: 'https://old.example' });
      const answers = await Promise.all([
        patch({ profile: { company: `Acme ${round}` } }),
        patch({ profile: { country: 'DE' } }),
        patch({ profile: { website: null } }),
        patch({ name: `Tabs ${round}` }),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
      expect(await stored()).toMatchObject({ name: `Tabs ${round}`, profile: { bio: 'kept', company: `Acme ${round}`, country: 'DE' } });
      expect((await stored()).profile).not.toHaveProperty('website');
    }
  });

  it('patches an account stored without a profile', async () => {
    await seed(undefined);
    const answer = await patch({ profile: { company: 'Acme' } });
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body!).profile).toEqual({ company: 'Acme' });
    expect((await stored()).profile).toEqual({ company: 'Acme' });
  });
});
