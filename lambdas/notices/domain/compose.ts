import type { OutgoingMail } from '../../shared/mailer';
import { isOptionalTopic, NOTICE_TOPICS } from '../../shared/notice-topics';
import type { NoticeJob, Recipient } from './model';

/** Where notice mail comes from and where its links point. */
export interface NoticeSender {
  /** The transactional address (mandatory topics: security, billing, service). */
  transactionalFrom: string;
  /** The subscription address (optional topics), so filtering one never hides the other. */
  subscriptionFrom: string;
  mailDomain: string;
  /** The signed one-click link of an optional topic, for one recipient. */
  unsubscribeUrl: (accountId: string) => string;
}

/**
 * One recipient's copy of a notice. Every notice names its topic's list (`List-Id`). An optional
 * topic comes from the subscription address with RFC 8058's `List-Unsubscribe` (the signed link) and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and says how to stop it; a mandatory one comes
 * from the transactional address with neither header, and says why it cannot be turned off.
 */
export function noticeMail(job: NoticeJob, recipient: Recipient, sender: NoticeSender): OutgoingMail {
  const topic = NOTICE_TOPICS[job.topic];
  const listId = `${topic.name} <${job.topic}.notices.${sender.mailDomain}>`;
  if (isOptionalTopic(job.topic)) {
    const url = sender.unsubscribeUrl(recipient.accountId);
    return {
      from: sender.subscriptionFrom,
      to: recipient.email,
      subject: job.subject,
      text: `${job.body.trimEnd()}\n\n-- \nYou receive the OmnAPI ${topic.name.toLowerCase()} because your account's preferences allow them. To stop them, open ${url} (one click, no sign-in), or change your mail preferences in the console.\n`,
      autoSubmitted: 'auto-generated',
      headers: {
        'List-Id': listId,
        'List-Unsubscribe': `<${url}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        Precedence: 'bulk',
      },
    };
  }
  const why = 'why' in topic ? topic.why : '';
  return {
    from: sender.transactionalFrom,
    to: recipient.email,
    subject: job.subject,
    text: `${job.body.trimEnd()}\n\n-- \nThis is an OmnAPI ${topic.name.toLowerCase().replace(/s$/, '')}. It goes to every account and cannot be turned off: ${why}.\n`,
    autoSubmitted: 'auto-generated',
    headers: { 'List-Id': listId },
  };
}
