import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAccountStore } from '../../lambdas/accounts/adapters/dynamodb-stores';
import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import { EDGE_CLIENT_IP_HEADER, ORIGIN_SECRET_HEADER } from '../../lambdas/shared/middleware/origin-guard';
import {
  type CallOptions,
  callApi,
  eventually,
  type LocalProcess,
  localAws,
  startLocalProcess,
  SETUP_TIMEOUT_MS,
  SHORT_BATCHING_WINDOW,
} from '../helpers/local-process';
import { linkMailedTo } from '../helpers/outbox';

const ORIGIN_SECRET = 'e2e-origin-secret-0123456789';
const PASSWORD = 'correct horse battery staple';

describe('npm start behind an edge (ORIGIN_SECRET)', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  const email = `edge-${Date.now().toString(36)}@example.org`;
  /** As the edge forwards a caller at `ip`. */
  const viaEdge = (ip: string) => ({ [ORIGIN_SECRET_HEADER]: ORIGIN_SECRET, [EDGE_CLIENT_IP_HEADER]: ip });
  const call = (method: string, path: string, options?: CallOptions) => callApi(local.api, method, path, options);

  beforeAll(async () => {
    local = await startLocalProcess({ env: { ...SHORT_BATCHING_WINDOW, ORIGIN_SECRET } });
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  it('answers direct calls 403 with the JSON error shape, on known and unknown routes alike', async () => {
    for (const [method, path] of [
      ['GET', '/health'],
      ['POST', '/v1/auth/login'],
      ['GET', '/v1/nowhere'],
      ['GET', '/v1/api/echo/x'],
      ['GET', '/v1/demo/echo/x'],
    ]) {
      const answer = await call(method!, path!, { headers: { [ORIGIN_SECRET_HEADER]: 'guess' } });
      expect([path, answer.status, answer.body.error.code]).toEqual([path, 403, 'direct_access_forbidden']);
    }
    expect((await call('GET', '/health', { headers: viaEdge('198.51.100.9') })).status).toBe(200);
  });

  it('sees the edge caller as the caller, and the demo product still answers through the metered gateway', async () => {
    const caller = '198.51.100.23';
    expect(
      (await call('POST', '/v1/auth/signup', { headers: viaEdge(caller), body: { name: 'Edge', email, password: PASSWORD } })).status,
    ).toBe(201);
    const link = await eventually(() => linkMailedTo(local.dataDir, email));
    expect((await fetch(link)).status).toBe(403); // mailed links, too, are opened through the edge
    expect((await fetch(link, { headers: viaEdge(caller) })).status).toBe(200);
    const token = (await call('POST', '/v1/auth/login', { headers: viaEdge(caller), body: { email, password: PASSWORD } })).body
      .token as string;
    const sessions = await call('GET', '/v1/account/sessions', { token, headers: viaEdge(caller) });
    expect(JSON.stringify(sessions.body)).toContain(caller);

    const key = (await call('POST', '/v1/keys', { token, headers: viaEdge(caller), body: { name: 'edge' } })).body.secret as string;
    const account = (await new DynamoDbAccountStore(dynamo, 'accounts').findByEmail(email))!;
    const ledger = new DynamoDbLedger(dynamo, 'ledger');
    await ledger.post(account.accountId, { type: 'grant', amountMicro: 5_000_000, reason: 'e2e' }, `grant:e2e:${account.accountId}`);

    expect((await call('GET', '/v1/api/echo/hello', { key })).status).toBe(403);
    const metered = await call('GET', '/v1/api/echo/hello', { key, headers: viaEdge(caller) });
    expect(metered.status).toBe(200);
    expect(metered.body.path).toBe('/hello');
    expect(await ledger.balance(account.accountId)).toBe(4_000_000); // one call charged, the refused one not

    await eventually(async () => {
      const page = await call('GET', '/v1/usage/logs', { token, headers: viaEdge(caller) });
      expect(page.body.logs).toEqual([expect.objectContaining({ ip: caller, status: 200 })]);
    }, 60_000); // the worker's batching window (shortened here), and time to spare
  });
});
