import { applyFeedback, suppressionsFrom } from '../../../lambdas/mail/domain/feedback';
import { replyRefusal, ticketReply } from '../../../lambdas/mail/domain/tickets';
import type { Ticket } from '../../../lambdas/mail/domain/inbound';
import { DynamoDbSuppressionList } from '../../../lambdas/shared/adapters/dynamodb-suppressions';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

describe('SES delivery reports', () => {
  it('suppresses every recipient of a permanent bounce and of a complaint, and nobody for a transient bounce', () => {
    const at = '2026-12-05T12:00:00Z';
    expect(
      suppressionsFrom(
        {
          eventType: 'Bounce',
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'NoEmail',
            bouncedRecipients: [{ emailAddress: 'a@x.org' }, { emailAddress: 'b@x.org' }],
          },
        },
        at,
      ),
    ).toEqual([
      { address: 'a@x.org', entry: { reason: 'bounce', at, detail: 'Permanent/NoEmail', feedbackId: undefined } },
      { address: 'b@x.org', entry: { reason: 'bounce', at, detail: 'Permanent/NoEmail', feedbackId: undefined } },
    ]);
    expect(
      suppressionsFrom(
        {
          notificationType: 'Complaint',
          complaint: { complainedRecipients: [{ emailAddress: 'c@x.org' }], complaintFeedbackType: 'abuse' },
        },
        at,
      ),
    ).toMatchObject([{ address: 'c@x.org', entry: { reason: 'complaint', detail: 'abuse' } }]);
    expect(
      suppressionsFrom(
        { eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@x.org' }] } },
        at,
      ),
    ).toEqual([]);
    expect(suppressionsFrom({ eventType: 'Delivery' }, at)).toEqual([]);
  });

  describe('against DynamoDB', () => {
    let dynamo: LocalDynamo;
    beforeAll(async () => {
      dynamo = await startLocalDynamo();
    });
    afterAll(() => dynamo.stop());

    it('lists an address once, by a hash of its lower-cased form, and finds it however it is written', async () => {
      const list = new DynamoDbSuppressionList(dynamo.client, 'suppressions');
      const report = { eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'Ann@Example.org' }] } };
      await applyFeedback(report, list, '2026-12-05T12:00:00Z');
      await applyFeedback(report, list, '2026-12-06T12:00:00Z');
      expect(await list.isSuppressed(' ann@example.org ')).toBe(true);
      expect(await list.isSuppressed('bob@example.org')).toBe(false);
      const { suppressions } = await dynamo.scanAll();
      expect(suppressions).toHaveLength(1);
      expect(JSON.stringify(suppressions)).not.toMatch(/ann/i);
      expect(suppressions[0]).toMatchObject({ reason: 'complaint', at: '2026-12-05T12:00:00Z' });
    });
  });
});

describe('ticket replies', () => {
  const ticket: Ticket = {
    ticketId: 'tkt_abc',
    mailbox: 'hello',
    from: 'ann@example.org',
    subject: 'RE: Question',
    text: 'Hi',
    receivedAt: '2026-12-05T12:00:00Z',
    storageKey: 'inbound/x',
    status: 'open',
    verdicts: {},
    expiresAt: 0,
    headerMessageId: '<m1@example.org>',
  };

  it('go from the mailbox the message came to, in its thread, with one Re: and the reference', () => {
    expect(ticketReply(ticket, 'Answer.', 'omnapi.com')).toMatchObject({
      from: 'hello@omnapi.com',
      to: 'ann@example.org',
      subject: 'RE: Question [tkt_abc]',
      inReplyTo: '<m1@example.org>',
      references: ['<m1@example.org>'],
    });
    expect(ticketReply({ ...ticket, subject: 'Question' }, 'Answer.', 'omnapi.com').subject).toBe('Re: Question [tkt_abc]');
  });

  it('are refused for quarantined mail, mail from our own domain and senders that are no address', () => {
    expect(replyRefusal(ticket, 'omnapi.com')).toBeUndefined();
    expect(replyRefusal({ ...ticket, status: 'quarantined' }, 'omnapi.com')).toMatch(/quarantined/);
    expect(replyRefusal({ ...ticket, from: 'x@omnapi.com' }, 'omnapi.com')).toMatch(/our own domain/);
    expect(replyRefusal({ ...ticket, from: '' }, 'omnapi.com')).toMatch(/not an address/);
  });
});
