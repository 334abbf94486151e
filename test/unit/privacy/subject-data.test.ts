import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { DynamoDbSubjectData } from '../../../lambdas/privacy/adapters/dynamodb-subject-data';
import type { ExportedTable } from '../../../lambdas/privacy/export-schema';
import { DynamoDbAuditTrail } from '../../../lambdas/shared/adapters/dynamodb-audit';
import { DynamoDbUsageLogs } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { echoCalls, recordCalls } from '../../helpers/usage-calls';

describe('the export reads each category by its data-map path', () => {
  let dynamo: LocalDynamo;
  let data: DynamoDbSubjectData;
  const subject = { accountId: 'acc_erin', email: 'erin@example.org' };
  const put = (table: string, item: Record<string, unknown>) => dynamo.client.send(new PutCommand({ TableName: table, Item: item }));
  const all = async (table: ExportedTable) => {
    const items: Record<string, unknown>[] = [];
    for await (const item of data.items(table, subject)) items.push(item);
    return items;
  };

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    const tables = {
      accounts: 'accounts',
      sessions: 'sessions',
      apiKeys: 'apiKeys',
      ledger: 'ledger',
      usageLogs: 'usageLogs',
      usageAggregates: 'usageAggregates',
      privacyRequests: 'privacyRequests',
      securityEvents: 'securityEvents',
      tickets: 'tickets',
      auditEvents: 'auditEvents',
    };
    data = new DynamoDbSubjectData(dynamo.client, tables, new DynamoDbUsageLogs(dynamo.client, 'usageLogs'));
    // The account took this address on March 1st; it belonged to someone else before.
    await put('accounts', {
      pk: 'ACCOUNT#acc_erin',
      sk: 'PROFILE',
      accountId: 'acc_erin',
      email: subject.email,
      name: 'Erin',
      passwordHash: 'scrypt$secret',
      createdAt: '2026-01-01T00:00:00Z',
      emailSince: '2026-03-01T00:00:00Z',
    });
    await put('tickets', {
      pk: 'TICKET#old',
      sk: 'TICKET',
      gsi1pk: `SENDER#${subject.email}`,
      gsi1sk: '2026-02-01T00:00:00Z',
      ticketId: 'tkt_old',
      mailbox: 'support',
      subject: 'previous owner',
      text: 'not Erin',
      receivedAt: '2026-02-01T00:00:00Z',
    });
    await put('tickets', {
      pk: 'TICKET#new',
      sk: 'TICKET',
      gsi1pk: `SENDER#${subject.email}`,
      gsi1sk: '2026-03-02T00:00:00Z',
      ticketId: 'tkt_new',
      mailbox: 'support',
      subject: 'Erin',
      text: 'hello',
      receivedAt: '2026-03-02T00:00:00Z',
    });
    const anonymous = `ACCOUNT#anonymous#${createHash('sha256').update(subject.email).digest('hex')}`;
    await put('securityEvents', {
      pk: anonymous,
      sk: '2026-02-01T00:00:00Z#evt_1',
      eventId: 'evt_1',
      type: 'login_failed',
      at: '2026-02-01T00:00:00Z',
    });
    await put('securityEvents', {
      pk: anonymous,
      sk: '2026-03-05T00:00:00Z#evt_2',
      eventId: 'evt_2',
      type: 'login_failed',
      at: '2026-03-05T00:00:00Z',
    });
    await put('privacyRequests', {
      pk: 'REQUEST#prq_1',
      sk: 'REQUEST',
      gsi1pk: 'ACCOUNT#acc_erin',
      gsi1sk: '2026-03-03T00:00:00Z',
      requestId: 'prq_1',
      type: 'access',
      status: 'completed',
      receivedAt: '2026-03-03T00:00:00Z',
      confirmation: { tokenHash: 'abc' },
      taskToken: 'tt',
      export: { key: 'exports/prq_1/x.zip', bytes: 10, downloadTokenHash: 'def', files: {} },
    });
    await put('ledger', { pk: 'ACCOUNT#acc_erin', sk: 'REF#grant:x', entryId: 'led_1' });
    await put('ledger', {
      pk: 'ACCOUNT#acc_erin',
      sk: 'ENTRY#2026-03-01T00:00:00Z#led_1',
      entryId: 'led_1',
      type: 'grant',
      amountMicro: 5,
      reason: 'r',
      at: '2026-03-01T00:00:00Z',
    });
    await put('ledger', { pk: 'ACCOUNT#acc_erin', sk: 'BALANCE', balance: 5 });
  });
  afterAll(() => dynamo.stop());

  it('exports mail and failed sign-ins under the address only from when the account held it', async () => {
    expect((await all('tickets')).map((t) => t.ticketId)).toEqual(['tkt_new']);
    expect((await all('securityEvents')).map((e) => e.eventId)).toEqual(['evt_2']);
  });

  it("exports an operator's audit events as OmnAPI staff, never by our cloud identity or host", async () => {
    const arn = 'arn:aws:sts::123456789012:assumed-role/OmnApiOpsAdmin/jane.doe@omnapi.com';
    await new DynamoDbAuditTrail(dynamo.client, 'auditEvents').record({
      actor: { type: 'operator', id: arn, via: 'cli' },
      action: 'credits.grant',
      targets: [{ type: 'account', id: subject.accountId }],
      reason: 'goodwill',
      context: { userAgent: 'omnapi-ops (ops-bastion-7.internal.omnapi.net)' },
      at: '2026-03-02T00:00:00Z',
    });
    const exported = await all('auditEvents');
    expect(exported).toEqual([
      expect.objectContaining({ action: 'credits.grant', reason: 'goodwill', actor: { type: 'operator', id: 'omnapi-staff' } }),
    ]);
    for (const ours of [arn, 'jane.doe', 'ops-bastion-7']) expect(JSON.stringify(exported)).not.toContain(ours);
  });

  it('never exports secrets or keys, at any depth', async () => {
    const text = JSON.stringify([await all('accounts'), await all('privacyRequests'), await all('ledger')]);
    for (const secret of [
      'passwordHash',
      'scrypt$secret',
      'tokenHash',
      'taskToken',
      'downloadTokenHash',
      'exports/prq_1',
      '"pk"',
      'REF#',
    ]) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
    expect((await all('ledger')).map((l) => l.kind)).toEqual(['balance', 'entry']);
  });
  it('exports usage per hour and product as the usage API counts it: the rollups and the calls not yet counted into them', async () => {
    // A quiet account's calls: stored as they come, counted into rollups in steps and when the sweep finishes their hour.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    await recordCalls(
      dynamo.client,
      echoCalls(
        'acc_erin',
        hour,
        [
          [5, 200],
          [15, 402],
          [25, 429],
          [35, 200],
        ],
        1_500_000,
      ),
    );
    expect(await all('usageAggregates')).toEqual([
      expect.objectContaining({
        granularity: 'hour',
        bucket: new Date(hour).toISOString().replace('.000Z', 'Z'),
        product: 'echo',
        calls: 4,
        admitted: 2,
        rejected: 2,
        rejectedNoCredit: 1,
        rejectedRateLimited: 1,
        chargedMicro: 3_000_000,
        charged: '3',
      }),
    ]);
  });
});
