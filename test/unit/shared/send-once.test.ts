import { type MailClaim, type Mailer, type OutgoingMail, sendOnce } from '../../../lambdas/shared/mailer';

/** A claim held in memory, as a store's conditional write keeps it. */
function memoryClaim(): MailClaim & { taken: boolean } {
  const claim = {
    taken: false,
    take: async () => {
      if (claim.taken) return false;
      claim.taken = true;
      return true;
    },
    giveBack: async () => {
      claim.taken = false;
    },
  };
  return claim;
}

/** SES as the SDK reports it: an answer with a status, or none at all. */
const sesRefusal = () => Object.assign(new Error('Throttling: Maximum sending rate exceeded'), { $metadata: { httpStatusCode: 400 } });
const noAnswer = () => Object.assign(new Error('socket hang up'), { $metadata: {} });

function mailer(failures: Error[] = []): Mailer & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return {
    sent,
    send: async (mail) => {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push(mail);
    },
  };
}

const mail = { to: 'ann@example.org', subject: 'We received your privacy request', text: 'Reference: tkt_1' };

describe('sendOnce', () => {
  it('sends once however often it is retried after the mail went out', async () => {
    const claim = memoryClaim();
    const ses = mailer();
    expect(await sendOnce(ses, claim, mail)).toBe(true);
    expect(await sendOnce(ses, claim, mail)).toBe(false);
    expect(ses.sent).toHaveLength(1);
  });

  it('gives the claim back when SES refused the mail, so the retry sends it', async () => {
    const claim = memoryClaim();
    const ses = mailer([sesRefusal()]);
    await expect(sendOnce(ses, claim, mail)).rejects.toThrow('Throttling');
    expect(await sendOnce(ses, claim, mail)).toBe(true);
    expect(ses.sent).toHaveLength(1);
  });

  it('keeps the claim when SES gave no answer (the mail may have gone out): never a second copy', async () => {
    const claim = memoryClaim();
    const ses = mailer([noAnswer()]);
    await expect(sendOnce(ses, claim, mail)).rejects.toThrow('socket hang up');
    expect(await sendOnce(ses, claim, mail)).toBe(false);
    expect(ses.sent).toHaveLength(0);
  });
});
