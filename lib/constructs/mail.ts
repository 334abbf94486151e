import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
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
import { allowServiceOnKey } from './shared/service-access';
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
  /** The receipt rule set's name: activated once by hand (docs/operations.md). */
  public readonly ruleSetName: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const key = props.defaults.key;
    this.inboundBucket = secureBucket(this, 'InboundMail', {
      key,
      accessLogs: props.accessLogs,
      retainData: props.retainData,
      expireAfterDays: BUCKET_LIFETIME_DAYS.inboundMail,
    });
    // Fixed names: the receipt rule's ARN is what SES names as the source of its writes and invocations, so the
    // bucket, the key and the function let this one rule in (not every rule of the account); the runbook activates the set by its name.
    const stack = Stack.of(this);
    this.ruleSetName = `${stack.stackName}-inbound`;
    const ruleName = `${stack.stackName}-mailboxes`;
    const ruleArn = stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${this.ruleSetName}:receipt-rule/${ruleName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // SES writes the raw message with the bucket's KMS key (a large message in parts: Decrypt too).
    allowServiceOnKey(key, 'ses.amazonaws.com', ruleArn);

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
    // Made before the rule, under the id SES's Lambda action looks for (it then adds none of its own, which names only the account).
    this.inboundFunction.addPermission('AllowSes', {
      principal: new iam.ServicePrincipal('ses.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceAccount: stack.account,
      sourceArn: ruleArn,
    });

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', {
      receiptRuleSetName: this.ruleSetName,
      rules: [
        {
          receiptRuleName: ruleName,
          recipients: MAILBOXES.map((box) => `${box}@${props.mailDomain}`),
          scanEnabled: true,
          tlsPolicy: ses.TlsPolicy.REQUIRE,
          actions: [
            new RuleScopedS3Action(this.inboundBucket, 'inbound/', ruleArn),
            new actions.Lambda({ function: this.inboundFunction, invocationType: actions.LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });
  }
}

/**
 * SES's S3 action with its bucket statement scoped to the one rule that uses it (`aws:SourceAccount` and
 * `aws:SourceArn`, as SES documents it; CDK's own action names only the account, which lets any receipt rule
 * of the account write there). The rule waits for the bucket policy: SES writes a setup object when the rule is made.
 */
class RuleScopedS3Action implements ses.IReceiptRuleAction {
  constructor(
    private readonly bucket: s3.Bucket,
    private readonly prefix: string,
    private readonly ruleArn: string,
  ) {}

  bind(rule: ses.IReceiptRuleRef): ses.ReceiptRuleActionConfig {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this.bucket).account, 'aws:SourceArn': this.ruleArn } },
      }),
    );
    rule.node.addDependency(this.bucket.policy!);
    return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: this.prefix } };
  }
}
