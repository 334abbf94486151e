import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { SesMailer } from '../../../lambdas/shared/adapters/ses-mailer';

describe('SesMailer', () => {
  const ses = mockClient(SESv2Client);
  beforeEach(() => ses.reset());

  it('sends one raw MIME message from the configured identity', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await new SesMailer(new SESv2Client({}), 'no-reply@omnapi.com').send({
      to: 'ann@example.org',
      subject: 'Hello',
      text: 'Body text',
      inReplyTo: '<x@example.org>',
      autoSubmitted: 'auto-replied',
    });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.FromEmailAddress).toBe('no-reply@omnapi.com');
    expect(input.Destination?.ToAddresses).toEqual(['ann@example.org']);
    const raw = Buffer.from(input.Content!.Raw!.Data!).toString('utf8');
    expect(raw).toMatch(/^Subject: Hello$/m);
    expect(raw).toMatch(/^In-Reply-To: <x@example.org>$/m);
    expect(raw).toMatch(/^Auto-Submitted: auto-replied$/m);
    expect(raw).toContain('Body text');
  });

  it('lets SES failures propagate so the invocation is retried', async () => {
    ses.on(SendEmailCommand).rejects(new Error('Throttling'));
    await expect(new SesMailer(new SESv2Client({}), 'a@b.co').send({ to: 'c@d.co', subject: 's', text: 't' })).rejects.toThrow(
      'Throttling',
    );
  });
});
