import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuditTrail } from '../../../lambdas/shared/adapters/dynamodb-audit';
import { sha256 } from '../../../lambdas/shared/crypto';
import { ITEMS } from '../../../lambdas/shared/items';
import type { LambdaHttpHandler } from '../../../lambdas/shared/middleware/http-stack';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** What an operator's action records for ops: the cloud identity and the host it ran on. */
const ARN = 'arn:aws:sts::123456789012:assumed-role/OmnApiOpsAdmin/jane.doe@omnapi.com';
const HOST = 'ops-bastion-7.internal.omnapi.net';

describe("an account's audit trail as its holder sees it", () => {
  let dynamo: LocalDynamo;
  let handler: LambdaHttpHandler;
  const accountId = 'acc_audited0000000000000001';
  const token = `omn_sess_${'a'.repeat(40)}`;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      TABLE_SESSIONS: 'sessions',
      TABLE_SECURITY_EVENTS: 'securityEvents',
      TABLE_AUDIT_EVENTS: 'auditEvents',
    });
    handler = require('../../../lambdas/accounts/handlers/account-security-events').handler;
    await dynamo.client.send(
      new PutCommand({
        TableName: 'sessions',
        Item: {
          ...ITEMS.session.key({ tokenHash: sha256(token) }),
          sessionId: 'ses_1',
          accountId,
          createdAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
        },
      }),
    );
    const trail = new DynamoDbAuditTrail(dynamo.client, 'auditEvents');
    const targets = [{ type: 'account', id: accountId }];
    await trail.record({
      actor: { type: 'account', id: accountId, via: 'session:ses_1' },
      action: 'key.create',
      targets,
      context: { ip: '203.0.113.9', userAgent: 'Firefox', requestId: 'r1' },
      at: new Date().toISOString(),
    });
    // As `npm run ops -- grant-credits` records it against a deployed stage.
    await trail.record({
      actor: { type: 'operator', id: ARN, via: 'cli' },
      action: 'credits.grant',
      targets,
      reason: 'goodwill after the outage',
      change: { after: { credits: '50' } },
      context: { userAgent: `omnapi-ops (${HOST})` },
      at: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await dynamo.stop();
  });

  it('shows staff actions as OmnAPI staff, never by our cloud identity, user or host', async () => {
    const response = await handler(
      { ...httpEvent({ path: '/v1/account/audit', headers: { authorization: `Bearer ${token}` } }), routeKey: 'GET /v1/account/audit' },
      lambdaContext,
    );
    expect(response.statusCode).toBe(200);
    const { events } = JSON.parse(response.body!);
    expect(events.map((e: { actor: unknown }) => e.actor)).toEqual([
      { type: 'operator', id: 'omnapi-staff' },
      { type: 'account', id: accountId, via: 'session:ses_1' },
    ]);
    // What staff did and why stays visible; the holder's own event keeps its context.
    expect(events[0]).toMatchObject({ action: 'credits.grant', reason: 'goodwill after the outage', change: { after: { credits: '50' } } });
    expect(events[1].context).toEqual({ ip: '203.0.113.9', userAgent: 'Firefox', requestId: 'r1' });
    for (const secret of [ARN, 'jane.doe', 'OmnApiOpsAdmin', '123456789012', HOST, 'cli']) expect(response.body).not.toContain(secret);
  });
});
