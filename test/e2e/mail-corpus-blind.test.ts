import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ticketIdFor } from '../../lambdas/mail/domain/inbound';
import { eventually, type LocalProcess, localAws, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { sendRaw } from '../helpers/mail';
import { blindMailCorpus } from '../helpers/mail-corpus';
import { mailTo } from '../helpers/outbox';

/**
 * The blind corpus (mail as Outlook, Gmail, Apple Mail, phones, webmails, forms, ticket systems and
 * mail servers emit it) through the local SMTP listener to all three mailboxes: every message is
 * ticketed in its mailbox with its words decoded, privacy letters are classified, and only people are
 * answered. Every mismatch is collected, so a failure lists the whole corpus's score.
 */
describe('blind corpus of real-world mail through npm start', () => {
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

  it('tickets, decodes, classifies and answers each message as a person would expect', async () => {
    const corpus = blindMailCorpus();
    const get = async (table: string, pk: string, sk: string) =>
      (await dynamo.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item;
    const sent: { message: (typeof corpus)[number]; messageId?: string; refused?: string }[] = [];
    for (const message of corpus) {
      try {
        const response = await sendRaw(local, message.raw, { from: message.envelopeFrom, to: [`${message.mailbox}@omnapi.com`] });
        sent.push({ message, messageId: /queued as ([0-9a-f]+)/.exec(response)![1]! });
      } catch (error) {
        sent.push({ message, refused: String(error) });
      }
    }
    const problems: string[] = [];
    const known: string[] = [];
    for (const { message, messageId, refused } of sent) {
      const { file, mailbox, expected, says, subject } = message;
      if (refused || !messageId) {
        problems.push(`${file}: refused at SMTP: ${refused}`);
        continue;
      }
      const ticket = await eventually(
        async () => (await get('tickets', `TICKET#${ticketIdFor(messageId)}`, 'TICKET')) ?? Promise.reject(new Error('none')),
        30_000,
      ).catch(() => undefined);
      if (!ticket) {
        problems.push(`${file}: no ticket`);
        continue;
      }
      if (ticket.mailbox !== mailbox) problems.push(`${file}: ticketed in ${ticket.mailbox}, not ${mailbox}`);
      if (says && !String(ticket.text).includes(says))
        problems.push(`${file}: ticket text lacks "${says}": ${JSON.stringify(String(ticket.text).slice(0, 300))}`);
      if (subject && ticket.subject !== subject)
        problems.push(`${file}: subject ${JSON.stringify(ticket.subject)}, not ${JSON.stringify(subject)}`);
      if (mailbox !== 'privacy') continue;
      if (expected === 'bounce' || expected === 'auto') {
        // A robot is never handed to privacy, or, when only its subject tells (an out-of-office reply), is recorded as one there.
        await new Promise((r) => setTimeout(r, 500));
        const intake = await get('privacyRequests', `INTAKE#${messageId}`, 'INTAKE');
        if (intake && intake.outcome !== 'automatic_reply') problems.push(`${file}: a robot handed to privacy, read as ${intake.outcome}`);
        continue;
      }
      const intake = await eventually(
        async () => (await get('privacyRequests', `INTAKE#${messageId}`, 'INTAKE')) ?? Promise.reject(new Error('none')),
        30_000,
      ).catch(() => undefined);
      if (!intake) {
        problems.push(`${file}: never reached privacy intake`);
        continue;
      }
      const rights = intake.rights as string[];
      const outcome = rights.length > 1 ? 'several' : rights.length === 0 ? 'none' : rights[0];
      if (outcome !== expected && message.defect) known.push(`${file}: read as ${outcome}, not ${expected} (${message.defect})`);
      else if (outcome !== expected) problems.push(`${file}: read as ${outcome} (${rights.join(', ')}), not ${expected}`);
    }
    // Answers are mailed after the ticket: give the last ones a moment before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const { message } of sent) {
      const answers = (await mailTo(local.dataDir, message.from.toLowerCase())).length;
      if (message.answered && answers === 0) problems.push(`${message.file}: not answered`);
      if (!message.answered && answers > 0) problems.push(`${message.file}: answered ${answers} time(s), should not be`);
    }
    const crashes = local.output().match(/.*(a function crashed|unhandled rejection).*/g) ?? [];
    problems.push(...crashes.map((line) => `runtime: ${line}`));
    if (known.length) console.log(`blind corpus: known defects outside the mail context\n${known.join('\n')}`);
    if (problems.length) console.log(`blind corpus: ${problems.length} problem(s) over ${corpus.length} messages\n${problems.join('\n')}`);
    expect((await fetch(`${local.api}/health`)).status).toBe(200);
    expect(problems).toEqual([]);
  }, 480_000);
});
