import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ticketIdFor } from '../../lambdas/mail/domain/inbound';
import { eventually, type LocalProcess, localAws, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { sendRaw } from '../helpers/mail';
import { mailCorpus } from '../helpers/mail-corpus';
import { mailTo } from '../helpers/outbox';

/** Every message of the corpus through the local SMTP listener (SES receiving), as the world would send it. */
describe('real-world privacy mail through npm start', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  beforeAll(async () => {
    local = await startLocalProcess();
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  it('tickets every message, crashes on none, hands each request to privacy as classified, and answers no robot', async () => {
    const corpus = mailCorpus();
    const sent: { file: string; expected: string; messageId: string; envelopeFrom: string }[] = [];
    for (const message of corpus) {
      const response = await sendRaw(local, message.raw, {
        from: message.expected === 'bounce' && message.envelopeFrom === '' ? '' : message.envelopeFrom,
        to: ['privacy@omnapi.com'],
      });
      sent.push({
        file: message.file,
        expected: message.expected,
        envelopeFrom: message.envelopeFrom,
        messageId: /queued as ([0-9a-f]+)/.exec(response)![1]!,
      });
    }
    const get = async (table: string, pk: string, sk: string) =>
      (await dynamo.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item;
    for (const { file, expected, messageId } of sent) {
      const ticket = await eventually(
        async () =>
          (await get('tickets', `TICKET#${ticketIdFor(messageId)}`, 'TICKET')) ?? Promise.reject(new Error(`no ticket for ${file}`)),
        30_000,
      );
      expect({ file, mailbox: ticket.mailbox }).toEqual({ file, mailbox: 'privacy' });
      if (expected === 'bounce' || expected === 'auto') {
        // Robots are kept for a person but never handed to privacy (nor answered).
        await new Promise((r) => setTimeout(r, 50));
        expect({ file, intake: await get('privacyRequests', `INTAKE#${messageId}`, 'INTAKE') }).toEqual({ file, intake: undefined });
        continue;
      }
      const intake = await eventually(
        async () => (await get('privacyRequests', `INTAKE#${messageId}`, 'INTAKE')) ?? Promise.reject(new Error(`no intake for ${file}`)),
        30_000,
      );
      const rights = intake.rights as string[];
      const outcome = rights.length > 1 ? 'several' : rights.length === 0 ? 'none' : rights[0];
      // A mail that asks for several rights opens each (here: no account, so the neutral reply); only one asking for none gets the list of rights.
      expect({ file, outcome, intake: intake.outcome }).toEqual({
        file,
        outcome: expected,
        intake: expected === 'none' ? 'help_sent' : 'no_account',
      });
    }
    for (const robot of corpus.filter((m) => m.expected === 'bounce' || m.expected === 'auto')) {
      if (robot.from)
        expect({ file: robot.file, answers: (await mailTo(local.dataDir, robot.from.toLowerCase())).length }).toEqual({
          file: robot.file,
          answers: 0,
        });
    }
    expect((await fetch(`${local.api}/health`)).status).toBe(200);
    expect(local.output()).not.toMatch(/a function crashed|unhandled rejection/);
  }, 240_000);
});
