import type { OutgoingMail } from '../../shared/mailer';
import { isOptionalTopic, NOTICE_TOPICS } from '../../shared/notice-topics';
import type { UnsubscribeLinks } from './links';
import type { NoticeJob, Recipient } from './model';

/** Where notice mail comes from and where its links point. */
export interface NoticeSender {
  /** The transactional address (mandatory topics: security, billing, service). */
  transactionalFrom: string;
  /** The subscription address (optional topics), so filtering one never hides the other. */
  subscriptionFrom: string;
  mailDomain: string;
  /** The signed, expiring unsubscribe links of an optional topic, for one recipient of a notice sent at `sentAt`. */
  unsubscribeLinks: (accountId: string, sentAt: Date) => UnsubscribeLinks;
}

/**
 * One recipient's copy of a notice sent at `sentAt`. Every notice names its topic's list (`List-Id`).
 * An optional topic comes from the subscription address with RFC 8058's `List-Unsubscribe` (the
 * signed one-click URL) and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and its text links to
 * the console's unsubscribe page and says until when the link works; a mandatory one comes from the
 * transactional address with neither header, and says why it cannot be turned off.
 */
export function noticeMail(job: NoticeJob, recipient: Recipient, sender: NoticeSender, sentAt: Date): OutgoingMail {
  const topic = NOTICE_TOPICS[job.topic];
  const listId = `${topic.name} <${job.topic}.notices.${sender.mailDomain}>`;
  if (isOptionalTopic(job.topic)) {
    const links = sender.unsubscribeLinks(recipient.accountId, sentAt);
    const until = links.expiresAt.toISOString().slice(0, 10);
    return {
      from: sender.subscriptionFrom,
      to: recipient.email,
      subject: job.subject,
      text: `${job.body.trimEnd()}\n\n-- \nYou receive the OmnAPI ${topic.name.toLowerCase()} because your account's preferences allow them. To stop them, open ${links.page} (no sign-in; the page asks before anything changes; the link works until ${until}), or switch them off in the console's settings at any time.\n`,
      autoSubmitted: 'auto-generated',
      headers: {
        'List-Id': listId,
        'List-Unsubscribe': `<${links.oneClick}>`,
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
