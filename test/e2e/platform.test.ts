import * as fs from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createTransport } from 'nodemailer';
import {
  deadLetterQueueOf,
  eventually,
  type LocalProcess,
  localAws,
  outputsOf,
  startLocalProcess,
  SETUP_TIMEOUT_MS,
} from '../helpers/local-process';

describe('local platform (npm start)', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  const runId = Date.now().toString(36);

  beforeAll(async () => {
    // A TTL sweep every 2 s (each scans every TTL table): the sweep test waits for one.
    local = await startLocalProcess({ env: { TTL_SWEEP_MS: '2000' }, probeWhileStarting: true });
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  it('answers a request that arrives while it starts at once, 503 with Retry-After in the JSON error shape, never leaving it waiting', () => {
    // The API's port listens before the functions are loaded (their mailed links carry its address).
    const answered = local.whileStarting.filter((probe) => probe.status !== 200);
    expect(answered.length).toBeGreaterThan(0);
    for (const probe of answered) {
      expect(probe.status).toBe(503);
      expect(probe.retryAfter).toBe('5');
      expect(JSON.parse(probe.body)).toEqual({ error: { code: 'starting', message: expect.stringMatching(/starting/) } });
    }
  });

  it('answers GET /health with JSON', async () => {
    const response = await fetch(`${local.api}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({ status: 'ok', stage: 'dev' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${local.api}/v1/definitely/not/here`, { method: 'POST', body: '{' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No route for POST /v1/definitely/not/here' } });
  });

  it('turns mail to support@ into a ticket and an acknowledgement in the outbox', async () => {
    const sender = `sender-${runId}@example.org`;
    const transport = createTransport({ host: '127.0.0.1', port: local.ports.smtp, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: sender, to: 'support@omnapi.com', subject: `Help ${runId}`, text: 'My key does not work.' });
    const outbox = path.join(local.dataDir, 'outbox');
    const ack = await eventually(() => {
      const mail = fs
        .readdirSync(outbox)
        .map((f) => fs.readFileSync(path.join(outbox, f), 'utf8'))
        .find((m) => m.includes(`To: ${sender}`));
      if (!mail) throw new Error('no acknowledgement yet');
      return mail;
    });
    // The acknowledgement quotes nothing the sender wrote: no relay for forged mail.
    expect(ack).toMatch(/^Subject: We received your message \[tkt_[0-9a-f]{24}\]/m);
    expect(ack).not.toContain(`Help ${runId}`);
    expect(ack).toMatch(/^Auto-Submitted: auto-replied/m);
  });

  it('refuses mail for mailboxes no receipt rule covers', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: local.ports.smtp, secure: false, ignoreTLS: true });
    await expect(transport.sendMail({ from: 'a@example.org', to: 'nobody@omnapi.com', subject: 'x', text: 'y' })).rejects.toThrow(/550/);
  });

  it('runs the privacy workflow from its synthesized definition, tasks included', async () => {
    const requestId = `prq_${runId.padStart(24, '0').slice(-24)}`;
    const now = new Date().toISOString();
    await dynamo.send(
      new PutCommand({
        TableName: 'accounts',
        Item: { pk: 'ACCOUNT#acc_x', sk: 'PROFILE', accountId: 'acc_x', email: `x-${runId}@example.org`, name: 'X' },
      }),
    );
    await dynamo.send(
      new PutCommand({
        TableName: 'privacyRequests',
        Item: {
          pk: `REQUEST#${requestId}`,
          sk: 'REQUEST',
          requestId,
          type: 'correction',
          status: 'received',
          channel: 'api',
          accountId: 'acc_x',
          email: `x-${runId}@example.org`,
          receivedAt: now,
          dueAt: now,
          history: [{ status: 'received', at: now }],
        },
      }),
    );
    const sfn = new SFNClient(localAws(local).aws);
    const stateMachineArn = outputsOf(local).PrivacyStateMachineArn!;
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: requestId, input: JSON.stringify({ requestId }) }),
    );
    const done = await eventually(async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status === 'RUNNING') throw new Error('still running');
      return execution;
    });
    expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
      cause: undefined,
    });
    const { Item } = await dynamo.send(
      new GetCommand({ TableName: 'privacyRequests', Key: { pk: `REQUEST#${requestId}`, sk: 'REQUEST' } }),
    );
    expect(Item!.status).toBe('needs_manual_action');
    expect(Item!.history.map((h: { status: string }) => h.status)).toEqual(['received', 'confirmed', 'in_progress', 'needs_manual_action']);
    sfn.destroy();
  });

  it('speaks the SQS protocol the SDK uses, checksums included', async () => {
    const sqs = new SQSClient(localAws(local).aws);
    // The dead-letter queue: nothing receives from it (the usage queue's drain would take the message first).
    const QueueUrl = await deadLetterQueueOf(sqs, outputsOf(local).QueueUsageUrl!);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: `{"run":"${runId}"}`,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'usage' } },
      }),
    );
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(Messages?.map((m) => m.Body)).toContain(`{"run":"${runId}"}`);
    sqs.destroy();
  });

  it('sweeps items whose TTL has passed', async () => {
    const pk = `ACCOUNT#ttl-${runId}`;
    const past = Math.floor(Date.now() / 1000) - 10;
    await dynamo.send(new PutCommand({ TableName: 'usageLogs', Item: { pk, sk: 'old', expiresAt: past } }));
    await dynamo.send(new PutCommand({ TableName: 'usageLogs', Item: { pk, sk: 'fresh', expiresAt: past + 3600 } }));
    await eventually(async () => {
      const { Item } = await dynamo.send(new GetCommand({ TableName: 'usageLogs', Key: { pk, sk: 'old' } }));
      if (Item) throw new Error('not swept yet');
    });
    const { Item } = await dynamo.send(new GetCommand({ TableName: 'usageLogs', Key: { pk, sk: 'fresh' } }));
    expect(Item).toBeDefined();
  });

  it(
    'keeps its state across a restart',
    async () => {
      await dynamo.send(new PutCommand({ TableName: 'tickets', Item: { pk: `TICKET#keep-${runId}`, sk: 'TICKET' } }));
      await local.stop();
      dynamo.destroy();
      local = await startLocalProcess({ dataDir: local.dataDir });
      dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
      const { Item } = await dynamo.send(new GetCommand({ TableName: 'tickets', Key: { pk: `TICKET#keep-${runId}`, sk: 'TICKET' } }));
      expect(Item).toBeDefined();
    },
    SETUP_TIMEOUT_MS,
  );
});
