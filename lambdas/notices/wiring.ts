import { DynamoDbSuppressionList } from '../shared/adapters/dynamodb-suppressions';
import { SesMailer } from '../shared/adapters/ses-mailer';
import { dynamo } from '../shared/clients/dynamodb';
import { ses } from '../shared/clients/sesv2';
import { lazily } from '../shared/config';
import { isOptionalTopic } from '../shared/notice-topics';
import type { PseudonymKeySet } from '../shared/pseudonyms';
import { DynamoDbNoticeStore } from './adapters/dynamodb-notices';
import { DynamoDbRecipients } from './adapters/dynamodb-recipients';
import { linkKeysFromEnv, senderConfig, unsubscribeConfig } from './config';
import type { DeliverDeps } from './domain/deliver';
import { unsubscribeLinks } from './domain/links';
import type { NoticeJob } from './domain/model';

/** The notices sender: the stores, the suppression-checking mailer, its pace, and each delivery's dependencies. */
export const senderWiring = lazily(() => {
  const config = senderConfig();
  const suppressions = new DynamoDbSuppressionList(dynamo, config.TABLE_SUPPRESSIONS);
  const notices = new DynamoDbNoticeStore(dynamo, config.TABLE_NOTICES);
  const recipients = new DynamoDbRecipients(dynamo, config.TABLE_ACCOUNTS);
  const mailer = new SesMailer(ses, config.MAIL_FROM, { suppressions, configurationSet: config.MAIL_CONFIGURATION_SET });
  return {
    notices,
    linkKeys: linkKeysFromEnv(),
    /** The gap between two sends of this instance: SES's rate, shared by the instances the event source may run. */
    gapMs: 1000 / config.NOTICE_SENDS_PER_SECOND,
    /** What delivering one notice of `topic` needs, its unsubscribe links signed with `keys`. */
    deliverDeps: (keys: PseudonymKeySet, topic: NoticeJob['topic']): DeliverDeps => ({
      notices,
      recipients,
      suppressions,
      mailer,
      sender: {
        transactionalFrom: config.MAIL_FROM,
        subscriptionFrom: config.NOTICES_FROM,
        mailDomain: config.MAIL_DOMAIN,
        unsubscribeLinks: (accountId, sentAt) => {
          if (!isOptionalTopic(topic)) throw new Error(`The ${topic} topic is mandatory: its notices carry no unsubscribe link`);
          return unsubscribeLinks(config.PUBLIC_URL, keys, accountId, topic, sentAt);
        },
      },
      now: () => new Date(),
    }),
  };
});

/** The unsubscribe pages: the link keys that check a link, and the preferences it switches off. */
export const unsubscribeWiring = lazily(() => ({
  recipients: new DynamoDbRecipients(dynamo, unsubscribeConfig().TABLE_ACCOUNTS),
  linkKeys: linkKeysFromEnv(),
}));
