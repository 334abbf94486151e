import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as actions from 'aws-cdk-lib/aws-ses-actions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { acknowledgeDeadLetterQueue } from './shared/dead-letter';
import { secureBucket } from './shared/secure-bucket';
import { MAILBOXES } from '../../lambdas/mail/domain/inbound';
import { BUCKET_LIFETIME_DAYS } from '../../lambdas/shared/data-map';
import { PDF_READER_FILES } from '../../lambdas/mail/adapters/pdf-text';

export interface MailProps {
  readonly defaults: FunctionDefaults;
  /** Domain whose mailboxes are received, e.g. `omnapi.com`. */
  readonly mailDomain: string;
  /** Verified identity outgoing mail is sent from. */
  readonly mailFrom: string;
  readonly tickets: dynamodb.Table;
  readonly accessLogs: s3.IBucket;
  readonly retainData: boolean;
  /** Where privacy@ mail is handed to the privacy context. */
  readonly privacyMailQueue: sqs.IQueue;
}

/**
 * SES receiving for privacy@, support@ and hello@: the raw message goes to a KMS-encrypted bucket,
 * then the inbound function turns it into a ticket, acknowledges support@ and hello@ mail, and hands
 * privacy@ mail to the privacy context's queue.
 * The receipt rule set must be made active once by hand (see docs/operations.md).
 */
export class Mail extends Construct {
  public readonly inboundBucket: s3.Bucket;
  public readonly inboundFunction: OmnApiFunction;
  public readonly inboundDlq: sqs.Queue;
  public readonly ruleSet: ses.ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const key = props.defaults.key;
    this.inboundBucket = secureBucket(this, 'InboundMail', {
      key,
      accessLogs: props.accessLogs,
      retainData: props.retainData,
      expireAfterDays: BUCKET_LIFETIME_DAYS.inboundMail,
    });
    // SES writes the raw message with the bucket's KMS key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Encrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.inboundBucket.stack.account } },
      }),
    );

    this.inboundDlq = new sqs.Queue(this, 'InboundDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.inboundFunction = new OmnApiFunction(this, 'InboundHandler', {
      ...props.defaults,
      entry: 'lambdas/mail/handlers/inbound.ts',
      description: 'Turns mail received by SES into tickets and acknowledges it',
      serviceName: 'mail',
      timeout: Duration.seconds(30),
      // A letter sent as a PDF is read by a worker thread (its file and pdf.js beside the bundle).
      besideBundle: PDF_READER_FILES,
      deadLetterQueue: this.inboundDlq,
      environment: { MAIL_DOMAIN: props.mailDomain },
    })
      .bindBucket('inboundMail', this.inboundBucket, 'inbound/', 'read')
      .bindTable('tickets', props.tickets, 'readWrite')
      .bindQueue('privacyMail', props.privacyMailQueue)
      .bindMailSender(props.mailFrom);

    acknowledgeDeadLetterQueue(this.inboundDlq);

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', {
      rules: [
        {
          recipients: MAILBOXES.map((box) => `${box}@${props.mailDomain}`),
          scanEnabled: true,
          tlsPolicy: ses.TlsPolicy.REQUIRE,
          actions: [
            new actions.S3({ bucket: this.inboundBucket, objectKeyPrefix: 'inbound/' }),
            new actions.Lambda({ function: this.inboundFunction, invocationType: actions.LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });
  }
}
