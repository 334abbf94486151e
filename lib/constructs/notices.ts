import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { z } from 'zod';
import { noticeRoutes } from '../../lambdas/notices/routes';
import type { TableName } from '../../lambdas/shared/tables';
import type { Api } from './api';
import { type FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { acknowledgeDeadLetterQueue } from './shared/dead-letter';
import { keySetSecret } from './shared/key-set';
import { routeFunctions } from './shared/route-functions';
import { integerIn, parseSettings } from './shared/settings';

/** The notices' senders and pace: their rules and defaults, stated once (the stage config composes them). */
export const NoticesSettingsSchema = z
  .object({
    /** The transactional identity (mandatory topics). */
    mailFrom: z.email(),
    /** The subscription address optional topics come from; must be on the same verified domain as `mailFrom`. */
    noticesFrom: z.email(),
    /** Notices sent per second at most, all sender instances together (SES's sending rate, or less). */
    sendsPerSecond: z.number().positive('must be above 0').max(1000, 'must be at most 1000'),
    /** Receives before a recipient's message is parked in the DLQ. @default 5 */
    maxReceiveCount: integerIn(1, 1000).default(5),
  })
  .superRefine(({ mailFrom, noticesFrom }, ctx) => {
    if (noticesFrom.split('@')[1] !== mailFrom.split('@')[1])
      ctx.addIssue({
        code: 'custom',
        path: ['noticesFrom'],
        message: `must be on the domain of mailFrom (${mailFrom}), got ${noticesFrom}: only that identity is verified`,
      });
    else if (noticesFrom === mailFrom)
      ctx.addIssue({
        code: 'custom',
        path: ['noticesFrom'],
        message: 'must differ from mailFrom: subscription and transactional mail come from different addresses',
      });
  });

export interface NoticesProps extends Readonly<z.input<typeof NoticesSettingsSchema>> {
  readonly defaults: FunctionDefaults;
  readonly api: Api;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly mailDomain: string;
  /** Base URL of the unsubscribe links. */
  readonly publicUrl: string;
  /** The link-signing key set given directly, for the local runtime only. */
  readonly localLinkKeys?: string;
  /** Keep the link keys when the stack is deleted. @default false */
  readonly retainData?: boolean;
}

/** Sender instances the queue may run at once: SQS event sources run at least two. */
const SENDER_CONCURRENCY = 2;
const SENDER_BATCH = 10;

/**
 * Technical notices: the queue a send's recipients wait on (KMS, DLQ), the sender that delivers each
 * at most once at the stage's SES rate, the one-click unsubscribe pages, and the key their links are
 * signed with. `npm run ops -- notice send` fills the queue.
 */
export class Notices extends Construct {
  public readonly queue: sqs.Queue;
  public readonly dlq: sqs.Queue;
  public readonly sender: OmnApiFunction;
  public readonly linkKeys?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: NoticesProps) {
    super(scope, id);
    const { mailFrom, noticesFrom, sendsPerSecond, maxReceiveCount } = parseSettings('Notices', NoticesSettingsSchema, props);
    const key = props.defaults.key;
    const timeout = Duration.seconds(Math.ceil((SENDER_BATCH * SENDER_CONCURRENCY) / sendsPerSecond) + 30);

    this.dlq = new sqs.Queue(this, 'NoticesDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(this.dlq);
    this.queue = new sqs.Queue(this, 'NoticesQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount },
    });

    this.sender = new OmnApiFunction(this, 'NoticeSender', {
      ...props.defaults,
      entry: 'lambdas/notices/handlers/sender.ts',
      description: "Delivers one notice to each queued recipient at most once, at the stage's SES rate",
      serviceName: 'notices',
      timeout,
      environment: {
        NOTICES_FROM: noticesFrom,
        MAIL_DOMAIN: props.mailDomain,
        PUBLIC_URL: props.publicUrl,
        NOTICE_SENDS_PER_SECOND: String(sendsPerSecond / SENDER_CONCURRENCY),
      },
    })
      .bindTable('notices', props.tables.notices, 'readWrite')
      .bindTable('accounts', props.tables.accounts, 'read')
      .bindMailSender(mailFrom, noticesFrom);
    this.sender.consumeQueue(this.queue, { batchSize: SENDER_BATCH, maxConcurrency: SENDER_CONCURRENCY, reportBatchItemFailures: true });
    Validations.of(this.sender).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS mappings take no on-failure destination; failed deliveries stay on the queue and its redrive policy parks them in the notices DLQ.',
    });

    const functions = routeFunctions(this, {
      defaults: props.defaults,
      api: props.api,
      context: 'notices',
      manifest: noticeRoutes,
      tables: props.tables,
      handlers: {
        unsubscribe: {
          description: 'The one-click unsubscribe link of optional notices: a page on GET, the preference switched off on POST',
          tables: { accounts: 'readWrite' },
        },
      },
    });
    this.linkKeys = this.bindLinkKeys([this.sender, functions.unsubscribe!], props);
  }

  /** The HMAC keys of unsubscribe links: generated at deploy (versioned like the pseudonym keys), or given locally. */
  private bindLinkKeys(fns: OmnApiFunction[], props: NoticesProps): secretsmanager.Secret | undefined {
    if (props.localLinkKeys) {
      for (const fn of fns) fn.addEnvironment('NOTICE_LINK_KEYS', props.localLinkKeys);
      return undefined;
    }
    const secret = keySetSecret(this, 'LinkKeys', {
      description: 'the HMAC keys that sign one-click unsubscribe links of optional notices',
      key: props.defaults.key,
      retainData: props.retainData,
      whyVersionsStay: 'links already mailed stay valid while their version is kept.',
    });
    for (const fn of fns) fn.bindSecret('noticeLinkKeys', secret);
    return secret;
  }
}
