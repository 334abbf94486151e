import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';

/**
 * SES's mailbox simulator, as the local SES plays it: mail to `bounce@simulator.amazonses.com` bounces
 * for good and mail to `complaint@simulator.amazonses.com` is complained about (a `+label` before the
 * `@` is allowed, as SES allows it, so tests can give each account its own address). Other addresses —
 * success@, ooto@ and every real one — are delivered (to the outbox) and report nothing.
 */
export function simulatedFeedback(address: string): 'bounce' | 'complaint' | undefined {
  const match = /^(bounce|complaint)(\+[^@]*)?@simulator\.amazonses\.com$/i.exec(address.trim());
  return match ? (match[1]!.toLowerCase() as 'bounce' | 'complaint') : undefined;
}

/** The event SES publishes to a configuration set's SNS destination, in SES's shape (the parts receivers read). */
export function sesEventOf(
  kind: 'bounce' | 'complaint',
  recipient: string,
  mail: { messageId: string; source: string; configurationSet: string },
  at = new Date(),
): Record<string, unknown> {
  const timestamp = at.toISOString();
  const feedbackId = `${mail.messageId}-${randomUUID()}`;
  const common = {
    mail: {
      timestamp,
      source: mail.source,
      messageId: mail.messageId,
      destination: [recipient],
      tags: { 'ses:configuration-set': [mail.configurationSet] },
    },
  };
  return kind === 'bounce'
    ? {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [
            { emailAddress: recipient, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
          ],
          timestamp,
          feedbackId,
          reportingMTA: 'dsn; local.simulator',
        },
        ...common,
      }
    : {
        eventType: 'Complaint',
        complaint: {
          complainedRecipients: [{ emailAddress: recipient }],
          complaintFeedbackType: 'abuse',
          timestamp,
          feedbackId,
          userAgent: 'local simulator',
        },
        ...common,
      };
}

/** What SNS hands a subscribed function: one record carrying the message. */
export function snsEventOf(topicArn: string, subscriptionArn: string, message: unknown, at = new Date()): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: at.toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.local/cert.pem',
          UnsubscribeUrl: 'https://sns.local/unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}
