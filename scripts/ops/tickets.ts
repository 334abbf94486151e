import * as fs from 'node:fs';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDbTicketStore } from '../../lambdas/mail/adapters/dynamodb-ticket-store';
import type { Ticket } from '../../lambdas/mail/domain/inbound';
import { replyRefusal, ticketReply } from '../../lambdas/mail/domain/tickets';
import { DynamoDbSuppressionList } from '../../lambdas/shared/adapters/dynamodb-suppressions';
import { SesMailer } from '../../lambdas/shared/adapters/ses-mailer';
import { normaliseEmail } from '../../lambdas/shared/email-address';
import { visibleControls } from '../../lambdas/shared/plain-text';
import { operator, recordOps } from './audit';
import { Command, Option, progress, stageOption, UsageError, withResources } from './program';
import type { Resources } from './resources';

type StageOptions = { stage: 'local' | 'dev' | 'prod' };
const storeOf = (resources: Resources) => new DynamoDbTicketStore(resources.dynamo, resources.tables.tickets);

async function requireTicket(resources: Resources, ticketId: string): Promise<Ticket> {
  const ticket = await storeOf(resources).get(ticketId);
  if (!ticket) throw new UsageError(`No ticket ${ticketId}`);
  return ticket;
}

/** The stage's mail: the suppression list every mailer honours and the configuration set that reports bounces. */
export function mailerFor(resources: Resources): { mailer: SesMailer; suppressions: DynamoDbSuppressionList } {
  const suppressions = new DynamoDbSuppressionList(resources.dynamo, resources.tables.suppressions);
  const mailer = new SesMailer(new SESv2Client(resources.clientConfig), resources.outputs.MailFrom!, {
    suppressions,
    configurationSet: resources.outputs.MailConfigurationSet,
  });
  return { mailer, suppressions };
}

const list = new Command('list')
  .description('Tickets from support@, hello@ and privacy@, oldest first: id, mailbox, status, age, sender, subject, replies')
  .addOption(new Option('--status <status>', 'which tickets').choices(['open', 'closed', 'quarantined', 'all']).default('open'))
  .addOption(new Option('--mailbox <mailbox>', 'one mailbox only').choices(['support', 'hello', 'privacy']))
  .option('--from <address>', "one sender's tickets")
  .addOption(stageOption())
  .action(async (options: StageOptions & { status: string; mailbox?: string; from?: string }) => {
    await withResources(options.stage, async (resources) => {
      const report = progress('items read');
      const shown: Ticket[] = [];
      for await (const ticket of storeOf(resources).all((read) => report(read))) {
        if (options.status !== 'all' && ticket.status !== options.status) continue;
        if (options.mailbox && ticket.mailbox !== options.mailbox) continue;
        if (options.from && ticket.from !== normaliseEmail(options.from)) continue;
        shown.push(ticket);
      }
      shown.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      for (const t of shown) {
        const days = Math.floor((Date.now() - Date.parse(t.receivedAt)) / 86_400_000);
        console.log(
          `${t.ticketId}  ${t.mailbox.padEnd(7)} ${t.status.padEnd(11)} ${t.receivedAt.slice(0, 16)} (${days} d)  ${visibleControls(t.from)}  ${visibleControls(JSON.stringify(t.subject.slice(0, 60)))}  ${t.replies?.length ?? 0} repl${t.replies?.length === 1 ? 'y' : 'ies'}`,
        );
      }
      console.log(`${shown.length} ticket(s)`);
    });
  });

const show = new Command('show')
  .description('One ticket: sender, verdicts, the message text and every reply sent')
  .argument('<ticketId>')
  .addOption(stageOption())
  .action(async (ticketId: string, options: StageOptions) => {
    await withResources(options.stage, async (resources) => {
      const t = await requireTicket(resources, ticketId);
      console.log(`${t.ticketId}  ${t.mailbox}@  ${t.status}${t.closedAt ? ` (closed ${t.closedAt} by ${t.closedBy})` : ''}`);
      // Written by anyone who can send mail: nothing in it may drive the terminal or forge a line.
      console.log(`From: ${visibleControls(t.from)}\nReceived: ${t.receivedAt}\nSubject: ${visibleControls(t.subject)}`);
      console.log(
        `Verdicts: ${
          Object.entries(t.verdicts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none'
        }${t.acknowledgedAt ? `; acknowledged ${t.acknowledgedAt}` : ''}${t.dueBy ? `; privacy answer due ${t.dueBy.slice(0, 10)}` : ''}`,
      );
      console.log(`\n${visibleControls(t.text, { lines: true })}\n`);
      for (const r of t.replies ?? [])
        console.log(`--- reply ${r.at} by ${r.by} from ${r.from}\n${visibleControls(r.text, { lines: true })}\n`);
    });
  });

const reply = new Command('reply')
  .description(
    'Answers a ticket by mail in its thread (In-Reply-To, References, Re: subject), from the mailbox it came to; the ticket stays open until closed',
  )
  .argument('<ticketId>')
  .option('--text <text>', 'the answer')
  .option('--body-file <file>', 'the answer, from a UTF-8 text file')
  .option('--close', 'close the ticket after the answer went out')
  .addOption(stageOption())
  .action(async (ticketId: string, options: StageOptions & { text?: string; bodyFile?: string; close?: boolean }) => {
    if (Boolean(options.text) === Boolean(options.bodyFile))
      throw new UsageError('Give the answer with --text or --body-file (one of them)');
    const text = options.text ?? fs.readFileSync(options.bodyFile!, 'utf8');
    if (!text.trim()) throw new UsageError('The answer is empty');
    await withResources(options.stage, async (resources) => {
      const ticket = await requireTicket(resources, ticketId);
      const mailDomain = resources.outputs.MailDomain!;
      const refusal = replyRefusal(ticket, mailDomain);
      if (refusal) throw new UsageError(`Ticket ${ticketId} cannot be answered by mail: ${refusal}`);
      const { mailer, suppressions } = mailerFor(resources);
      if (await suppressions.isSuppressed(ticket.from))
        throw new UsageError(`${ticket.from} is on the suppression list (it bounced or complained): no mail goes to it`);
      const mail = ticketReply(ticket, text, mailDomain);
      await mailer.send(mail);
      const by = (await operator(resources)).id;
      const at = new Date().toISOString();
      await storeOf(resources).addReply(ticketId, { at, by, from: mail.from!, subject: mail.subject, text });
      await recordOps(resources, {
        action: 'ticket.reply',
        targets: [{ type: 'ticket', id: ticketId }],
        change: { after: { from: mail.from, subject: mail.subject, characters: text.length } },
      });
      console.log(`Replied to ${visibleControls(ticket.from)} from ${mail.from}: ${visibleControls(JSON.stringify(mail.subject))}`);
      if (options.close && (await storeOf(resources).close(ticketId, by, at))) {
        await recordOps(resources, {
          action: 'ticket.close',
          targets: [{ type: 'ticket', id: ticketId }],
          change: { before: { status: 'open' }, after: { status: 'closed' } },
        });
        console.log(`Closed ${ticketId}`);
      }
    });
  });

const close = new Command('close')
  .description('Closes a ticket (answered, or needing no answer)')
  .argument('<ticketId>')
  .option('--reason <text>', 'why, for the audit trail')
  .addOption(stageOption())
  .action(async (ticketId: string, options: StageOptions & { reason?: string }) => {
    await withResources(options.stage, async (resources) => {
      const ticket = await requireTicket(resources, ticketId);
      const closed = await storeOf(resources).close(ticketId, (await operator(resources)).id, new Date().toISOString());
      if (!closed) {
        console.log(`${ticketId} was already closed: nothing changed`);
        return;
      }
      await recordOps(resources, {
        action: 'ticket.close',
        targets: [{ type: 'ticket', id: ticketId }],
        reason: options.reason,
        change: { before: { status: ticket.status }, after: { status: 'closed' } },
      });
      console.log(`Closed ${ticketId}`);
    });
  });

export const tickets = new Command('tickets')
  .description('Support, hello and privacy mail: list, read, answer in the thread, close')
  .addCommand(list)
  .addCommand(show)
  .addCommand(reply)
  .addCommand(close);
