import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ScryptHasher } from '../../../lambdas/shared/adapters/scrypt-hasher';
import { sha256 } from '../../../lambdas/shared/crypto';
import type { LambdaHttpHandler } from '../../../lambdas/shared/middleware/http-stack';
import { httpEvent, lambdaContext } from '../../helpers/http-events';

const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const PASSWORD = 'correct horse battery staple';
const TOKEN = 'omn_sess_roll-test-token';
const KEY = {
  keyId: 'key_0123456789abcdef01234567',
  accountId: 'acc_0123456789abcdef01234567',
  name: 'production',
  prefix: 'omn_live_abcd',
  secretHash: 'h',
  plan: 'free',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
};

function load(): LambdaHttpHandler {
  Object.assign(process.env, {
    TABLE_ACCOUNTS: 'accounts',
    TABLE_SESSIONS: 'sessions',
    TABLE_TOKENS: 'tokens',
    TABLE_API_KEYS: 'apiKeys',
    TABLE_SECURITY_EVENTS: 'securityEvents',
    TABLE_USAGE_LOGS: 'usageLogs',
    MAIL_FROM: 'no-reply@omnapi.test',
    PUBLIC_URL: 'https://api.omnapi.test',
  });
  return require('../../../lambdas/accounts/handlers/keys').handler;
}

/** A roll asked by a session opened `minutesAgo` minutes ago, with `body` (none: no body at all). */
async function roll(minutesAgo: number, body?: object) {
  const passwordHash = await new ScryptHasher({ logN: 10, r: 8, p: 1 }).hash(PASSWORD);
  dynamo.reset();
  ses.reset();
  dynamo.onAnyCommand().resolves({});
  dynamo.on(GetCommand, { TableName: 'sessions' }).resolves({
    Item: {
      sessionId: 'ses_1',
      accountId: KEY.accountId,
      tokenHash: sha256(TOKEN),
      createdAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    },
  });
  dynamo.on(GetCommand, { TableName: 'accounts' }).resolves({ Item: { accountId: KEY.accountId, email: 'ann@example.org', passwordHash } });
  dynamo.on(QueryCommand, { TableName: 'apiKeys' }).resolves({ Items: [KEY] });
  dynamo.on(GetCommand, { TableName: 'apiKeys' }).resolves({ Item: KEY });
  const path = `/v1/keys/${KEY.keyId}/roll`;
  const event = httpEvent({
    method: 'POST',
    path,
    routeKey: 'POST /v1/keys/{id}/roll',
    pathParameters: { id: KEY.keyId },
    headers: { authorization: `Bearer ${TOKEN}`, 'user-agent': 'jest', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const response = await load()(event, lambdaContext);
  const keysWritten = dynamo
    .commandCalls(TransactWriteCommand)
    .filter((c) => c.args[0].input.TransactItems?.some((item) => item.Put?.TableName === 'apiKeys')).length;
  return { status: response.statusCode, body: JSON.parse(response.body ?? '{}'), keysWritten };
}

describe('rolling a key hands out a new secret, so an older session proves its caller first (as creating one does)', () => {
  it('refuses a session older than ten minutes without the password, and writes no key', async () => {
    const answer = await roll(60);
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'current_password_required' } }, keysWritten: 0 });
    expect(answer.body.error.details).toEqual([expect.objectContaining({ path: 'body.currentPassword' })]);
  });

  it('refuses a wrong password from an older session', async () => {
    expect(await roll(60, { currentPassword: 'a wrong guess!!' })).toMatchObject({ status: 401, keysWritten: 0 });
  });

  it('rolls for an older session with the password, and for a fresh one with no body at all', async () => {
    expect(await roll(60, { currentPassword: PASSWORD })).toMatchObject({
      status: 201,
      body: { secret: expect.stringMatching(/^omn_live_/) },
      keysWritten: 1,
    });
    expect(await roll(1)).toMatchObject({ status: 201, keysWritten: 1 });
  });

  it('still reads a body that is sent as a JSON body: not JSON is refused', async () => {
    dynamo.reset();
    const event = httpEvent({
      method: 'POST',
      path: `/v1/keys/${KEY.keyId}/roll`,
      routeKey: 'POST /v1/keys/{id}/roll',
      pathParameters: { id: KEY.keyId },
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"currentPassword":',
    });
    dynamo.onAnyCommand().resolves({});
    dynamo.on(GetCommand, { TableName: 'sessions' }).resolves({
      Item: {
        sessionId: 'ses_1',
        accountId: KEY.accountId,
        createdAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      },
    });
    const response = await load()(event, lambdaContext);
    expect([response.statusCode, JSON.parse(response.body!).error.code]).toEqual([400, 'invalid_json']);
  });
});
