import asyncHooks from 'node:async_hooks';
import { deriveModel, synthesizeTemplate } from '../../local/assembly';
import { LocalFunctions } from '../../local/functions';
import { type IamRequest, LocalIam } from '../../local/iam';

/**
 * Bindings tied to needs: each function starts (its config module validates its settings at cold start)
 * with exactly the environment its template resource declares, and each table, bucket, queue and state
 * machine a variable names comes with a grant its role can use — the data key included.
 */
describe('function bindings', () => {
  const template = synthesizeTemplate({
    localPseudonymKeys: JSON.stringify({ current: 1, k1: 'a'.repeat(43) }),
    localNoticeLinkKeys: JSON.stringify({ current: 1, k1: 'b'.repeat(43) }),
    localStripe: { webhookSecret: 'whsec_test' },
  });
  const model = deriveModel(template, { aws: 'http://127.0.0.1:4566', api: 'http://localhost:3000' });
  const iam = new LocalIam(template, model.resolver, 'enforce');
  const functions = [...model.functions.values()];

  it('every function starts with exactly its template environment: no setting its config requires is missing', async () => {
    const local = new LocalFunctions(model.functions, { endpoints: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' } });
    const problems: string[] = [];
    for (const fn of functions) {
      await local.coldStart(fn.logicalId).catch((error: Error) => problems.push(`${fn.logicalId} (${fn.entry}): ${error.message}`));
    }
    expect(problems).toEqual([]);
  }, 240_000);

  it('the functions share one X-Ray context store, as each Lambda process has one: loading them all installs at most one async hook', async () => {
    // Each bundle carries the X-Ray SDK, whose cls-hooked installs an async hook on load: one per bundle
    // in this one process would run on every promise of every function.
    const createHook = jest.spyOn(asyncHooks, 'createHook');
    try {
      const local = new LocalFunctions(model.functions, { endpoints: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' } });
      for (const fn of functions) await local.coldStart(fn.logicalId).catch(() => undefined);
      expect(functions.length).toBeGreaterThan(10);
      expect(createHook.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      createHook.mockRestore();
    }
  }, 240_000);

  const allowed = async (roleId: string | undefined, requests: IamRequest[]) =>
    iam.authorize(roleId, requests).then(
      () => undefined,
      (error: Error) => error.message,
    );

  it('every resource variable comes with a grant on that resource, and on the key that encrypts it', async () => {
    const problems: string[] = [];
    const tables = new Map(model.tables.map((t) => [t.name, `arn:aws:dynamodb:us-east-1:000000000000:table/${t.name}`]));
    for (const fn of functions) {
      for (const [name, value] of Object.entries(fn.environment)) {
        const requests: IamRequest[][] = [];
        if (name.startsWith('TABLE_')) {
          const arn = tables.get(value)!;
          // Any item access will do; which one the code needs is what the e2e runs enforce.
          const anyItemAccess = await Promise.all(
            ['GetItem', 'Query', 'PutItem', 'UpdateItem'].map((a) => allowed(fn.roleId, [{ action: `dynamodb:${a}`, resource: arn }])),
          );
          if (anyItemAccess.every(Boolean)) problems.push(`${fn.logicalId}: ${name} (${value}) but no item access granted`);
          requests.push(iam.kmsRequests(arn, ['kms:Decrypt']));
        } else if (name.startsWith('BUCKET_')) {
          const bucketArn = `arn:aws:s3:::${value}`;
          const statements = iam.roleOf(fn.roleId)!.policies.flatMap((p) => p.policy.Statement);
          const objects = statements.flatMap((s) => [s.Resource ?? []].flat()).find((r) => r.startsWith(`${bucketArn}/`));
          const probe = objects?.replace(/\*$/, 'probe');
          if (!probe) problems.push(`${fn.logicalId}: ${name} (${value}) but no object access granted`);
          // One that reads objects decrypts them; one that only erases them (every version) needs no key.
          else if (!(await allowed(fn.roleId, [{ action: 's3:GetObject', resource: probe }])))
            requests.push(iam.kmsRequests(probe, ['kms:Decrypt']));
          else requests.push([{ action: 's3:DeleteObjectVersion', resource: probe }]);
        } else if (/^QUEUE_.*_URL$/.test(name)) {
          const arn = model.queues.find((q) => q.url === value)!.arn;
          // A queue's producers send to it; a drain (a function its schedule runs) receives from it and deletes.
          const drains = model.schedules.some((s) => s.functionId === fn.logicalId && s.drainsQueue);
          requests.push(
            drains
              ? [
                  { action: 'sqs:ReceiveMessage', resource: arn },
                  { action: 'sqs:DeleteMessage', resource: arn },
                  ...iam.kmsRequests(arn, ['kms:Decrypt']),
                ]
              : [{ action: 'sqs:SendMessage', resource: arn }, ...iam.kmsRequests(arn, ['kms:GenerateDataKey', 'kms:Decrypt'])],
          );
        } else if (/^STATE_MACHINE_.*_ARN$/.test(name)) {
          // A function either starts executions or calls back to waiting ones (the privacy callbacks): one of the two.
          const uses = await Promise.all(
            ['states:StartExecution', 'states:SendTaskSuccess'].map((action) => allowed(fn.roleId, [{ action, resource: value }])),
          );
          if (uses.every(Boolean)) problems.push(`${fn.logicalId}: ${name} but neither StartExecution nor SendTaskSuccess granted on it`);
        }
        for (const batch of requests) {
          const refused = await allowed(fn.roleId, batch);
          if (refused) problems.push(`${fn.logicalId}: ${name} — ${refused}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('a function that may write objects may abort its own multipart uploads there (the SDK aborts a failed one; refused, its AccessDenied hides the failure)', async () => {
    const problems: string[] = [];
    let writers = 0;
    for (const fn of functions) {
      const statements = iam.roleOf(fn.roleId)!.policies.flatMap((p) => p.policy.Statement);
      const written = statements
        .filter((s) => s.Effect === 'Allow' && [s.Action ?? []].flat().includes('s3:PutObject'))
        .flatMap((s) => [s.Resource ?? []].flat())
        .filter((r) => r.startsWith('arn:aws:s3:::') && r.includes('/'));
      for (const objects of written) {
        writers++;
        const refused = await allowed(fn.roleId, [{ action: 's3:AbortMultipartUpload', resource: objects.replace(/\*$/, 'probe') }]);
        if (refused) problems.push(`${fn.logicalId}: ${refused}`);
      }
    }
    expect(writers).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('the privacy workflow erases raw mail (every version of it) and can neither read nor write it', async () => {
    const workflow = functions.find((fn) => fn.logicalId.startsWith('PrivacyWorkflowSteps'))!;
    const mail = `arn:aws:s3:::${workflow.environment.BUCKET_INBOUND_MAIL}`;
    expect(
      await allowed(workflow.roleId, [
        { action: 's3:ListBucketVersions', resource: mail, context: { 's3:prefix': 'inbound/0a1b2c' } },
        { action: 's3:DeleteObjectVersion', resource: `${mail}/inbound/0a1b2c` },
      ]),
    ).toBeUndefined();
    // (The key is the tables' too, which the workflow decrypts: only the bucket's actions tell.)
    for (const action of ['s3:GetObject', 's3:PutObject'])
      expect(await allowed(workflow.roleId, [{ action, resource: `${mail}/inbound/0a1b2c` }])).toEqual(
        expect.stringContaining('not authorized'),
      );
  });

  it('no function may call KMS itself: its roles use the data key only through the service that holds its data (kms:ViaService)', async () => {
    const keyArn = model.resolver.resolve({
      'Fn::GetAtt': [Object.keys(template.Resources).find((id) => template.Resources[id]!.Type === 'AWS::KMS::Key')!, 'Arn'],
    });
    const direct: string[] = [];
    for (const fn of functions)
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'])
        if (!(await allowed(fn.roleId, [{ action, resource: keyArn, context: { 'kms:CallerAccount': '000000000000' } }])))
          direct.push(`${fn.logicalId} ${action}`);
    expect(functions.length).toBeGreaterThan(10);
    expect(direct).toEqual([]);
  });

  it('every function that sends mail may send as each of its From addresses, whichever identity SES sends as (the address, if verified itself, or its domain)', async () => {
    const problems: string[] = [];
    const senders = functions.filter((fn) => fn.environment.MAIL_FROM);
    for (const fn of senders)
      for (const from of [fn.environment.MAIL_FROM!, fn.environment.NOTICES_FROM].filter(Boolean) as string[])
        for (const identity of [from, from.split('@')[1]!]) {
          const refused = await allowed(fn.roleId, [
            { action: 'ses:SendEmail', resource: `arn:aws:ses:us-east-1:000000000000:identity/${identity}` },
          ]);
          if (refused) problems.push(`${fn.logicalId}: ${refused}`);
        }
    expect(senders.length).toBeGreaterThan(5);
    expect(senders.some((fn) => fn.environment.NOTICES_FROM)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('grants item actions only: a whole-table Scan to the privacy workflow alone, stream reads and DescribeTable to no one', async () => {
    const tables = model.tables.map((t) => `arn:aws:dynamodb:us-east-1:000000000000:table/${t.name}`);
    const holders = async (action: string) => {
      const found: string[] = [];
      for (const fn of functions)
        for (const table of tables)
          if (!(await allowed(fn.roleId, [{ action, resource: table }]))) found.push(`${fn.logicalId} ${table.split('/')[1]}`);
      return found;
    };
    const scanners = await holders('dynamodb:Scan');
    expect(scanners.length).toBeGreaterThan(0);
    expect(scanners.filter((s) => !s.startsWith('PrivacyWorkflowSteps'))).toEqual([]);
    for (const action of ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeTable'])
      expect(await holders(action)).toEqual([]);
    // A table bound to read is read, never written: the gateway reads keys it cannot change.
    const gateway = functions.find((fn) => fn.logicalId.startsWith('MeteringGateway'))!;
    const apiKeys = tables.find((t) => /ApiKeys/i.test(t))!;
    expect(await allowed(gateway.roleId, [{ action: 'dynamodb:GetItem', resource: apiKeys }])).toBeUndefined();
    for (const action of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'Scan'])
      expect(await allowed(gateway.roleId, [{ action: `dynamodb:${action}`, resource: apiKeys }])).toEqual(
        expect.stringContaining('not authorized'),
      );
  });
});
