import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { synthesizeTemplate } from '../../local/assembly';
import type { Template } from '../../local/intrinsics';
import { DynamoDbAccountStore } from '../../lambdas/accounts/adapters/dynamodb-stores';
import { DynamoDbUsageLogs } from '../../lambdas/shared/adapters/dynamodb-usage-logs';
import { callApi, eventually, type LocalProcess, localAws, startLocalProcess, SETUP_TIMEOUT_MS } from '../helpers/local-process';
import { ops } from '../helpers/ops';
import { linkMailedTo } from '../helpers/outbox';

/**
 * Proof the local IAM is real: the app synthesized with one grant removed — the usage worker's access
 * to the usage-log table — runs two metered calls (the gateway's own grants are intact): the first, a lone
 * call, is recorded by the gateway; the worker's write of the second is refused with AccessDenied, so its
 * log is never written, as it would fail after deploy.
 */
describe('a grant removed from the template fails locally', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  const email = `drift-${Date.now().toString(36)}@example.org`;
  const PASSWORD = 'correct horse battery staple';

  beforeAll(async () => {
    const template = withoutUsageLogGrant(
      synthesizeTemplate({
        localPseudonymKeys: JSON.stringify({ current: 1, k1: 'a'.repeat(43) }),
        localNoticeLinkKeys: JSON.stringify({ current: 1, k1: 'b'.repeat(43) }),
      }),
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-drift-')), 'template.json');
    fs.writeFileSync(file, JSON.stringify(template));
    local = await startLocalProcess({ env: { OMNAPI_TEMPLATE_FILE: file, LOCAL_TIME_SCALE: '0.005' } });
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  it('refuses the usage worker the usage-log table with AccessDenied naming role, action and table', async () => {
    const json = (method: string, route: string, options?: Parameters<typeof callApi>[3]) => callApi(local.api, method, route, options);
    await json('POST', '/v1/auth/signup', { body: { name: 'drift', email, password: PASSWORD } });
    await fetch(await eventually(() => linkMailedTo(local.dataDir, email)));
    const token = (await json('POST', '/v1/auth/login', { body: { email, password: PASSWORD } })).body.token as string;
    const key = (await json('POST', '/v1/keys', { token, body: { name: 'drift' } })).body.secret as string;
    expect((await ops(local, 'grant-credits', '--email', email, '--amount', '5', '--reason', 'drift')).code).toBe(0);

    // The account's first call is a lone call, recorded by the gateway (its grant is intact); the second,
    // a moment later, is queued, and the worker's write of it is refused.
    const first = await json('GET', '/v1/api/echo/drift', { key });
    const second = await json('GET', '/v1/api/echo/drift', { key });
    expect([first.status, second.status]).toEqual([200, 200]);

    await eventually(() => {
      expect(local.output()).toMatch(
        /iam DENIED: MeteringUsageWorkerRole\w+ dynamodb:\w+ on arn:aws:dynamodb:us-east-1:000000000000:table\/usageLogs\b/,
      );
    }, 30_000);
    const { accountId } = (await new DynamoDbAccountStore(dynamo, 'accounts').findByEmail(email))!;
    const logs = await new DynamoDbUsageLogs(dynamo, 'usageLogs').page(accountId, { limit: 10, now: new Date() });
    expect(logs.logs.map((log) => log.requestId)).toEqual([first.headers.get('x-request-id')]);
  });
});

/** The template with the usage worker's role no longer granted anything on the usage-log table. */
function withoutUsageLogGrant(template: Template): Template {
  const [, policy] = Object.entries(template.Resources).find(
    ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('MeteringUsageWorkerRole'),
  )!;
  const usageLogs = Object.keys(template.Resources).find((id) => id.startsWith('DataUsageLogs'))!;
  const mentions = (resource: unknown) => JSON.stringify(resource).includes(`"${usageLogs}"`);
  let removed = 0;
  for (const statement of policy.Properties!.PolicyDocument.Statement as { Resource: unknown }[]) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    const kept = resources.filter((resource) => !mentions(resource));
    removed += resources.length - kept.length;
    statement.Resource = kept.length === 1 ? kept[0] : kept;
  }
  if (removed === 0) throw new Error('The usage worker has no grant on the usage-log table to remove: the test no longer tests anything');
  policy.Properties!.PolicyDocument.Statement = (policy.Properties!.PolicyDocument.Statement as { Resource: unknown[] }[]).filter(
    (s) => !Array.isArray(s.Resource) || s.Resource.length > 0,
  );
  return template;
}
