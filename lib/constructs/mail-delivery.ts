import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionDefaults, type MailDeliveryBinding, OmnApiFunction } from './omnapi-function';
import { acknowledgeDeadLetterQueue } from './shared/dead-letter';
import { allowSnsDeadLetters } from './shared/service-access';

export interface MailDeliveryProps {
  readonly defaults: FunctionDefaults;
  /** Where bounced and complaining addresses are listed. */
  readonly suppressions: dynamodb.Table;
}

/**
 * What every sent message goes through: an SES configuration set whose event destination publishes
 * bounces and complaints to an SNS topic, and the function that puts their addresses on the
 * suppression list. `binding` is handed to every function construct (`FunctionDefaults.mailDelivery`),
 * so `bindMailSender` grants reading the list and sending through the set together.
 */
export class MailDelivery extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly feedbackTopic: sns.Topic;
  public readonly feedbackFunction: OmnApiFunction;
  public readonly feedbackDlq: sqs.Queue;
  public readonly binding: MailDeliveryBinding;

  constructor(scope: Construct, id: string, props: MailDeliveryProps) {
    super(scope, id);
    const key = props.defaults.key;
    const stack = Stack.of(this);
    const configurationSetName = `${stack.stackName}-mail`;
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName,
      // SES's own account-level list stays on too; ours covers what the platform sends, and says why.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.feedbackTopic = new sns.Topic(this, 'FeedbackTopic', { masterKey: key, enforceSSL: true });
    // SES publishes to the encrypted topic with the data key, for this account's configuration set only.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
          },
        },
      }),
    );
    this.configurationSet.addEventDestination('Feedback', {
      destination: ses.EventDestination.snsTopic(this.feedbackTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.feedbackDlq = new sqs.Queue(this, 'FeedbackDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(this.feedbackDlq, 'the SES feedback subscription and function');
    allowSnsDeadLetters(this, key);
    this.feedbackFunction = new OmnApiFunction(this, 'FeedbackHandler', {
      ...props.defaults,
      entry: 'lambdas/mail/handlers/delivery-feedback.ts',
      description: 'Puts the addresses SES reports as bounced or complaining on the suppression list',
      serviceName: 'mail',
      deadLetterQueue: this.feedbackDlq,
    }).bindTable('suppressions', props.suppressions, 'readWrite');
    this.feedbackTopic.addSubscription(new subscriptions.LambdaSubscription(this.feedbackFunction, { deadLetterQueue: this.feedbackDlq }));
    this.binding = { suppressions: props.suppressions, configurationSetName };
  }
}
