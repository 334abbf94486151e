import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** The data-key actions a service needs to write a message into a resource the key encrypts (and read its data key back). */
const WRITE_ENCRYPTED = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * Lets an AWS service use a key when it acts for one of this account's resources matching `sourceArn`
 * (ArnLike, wildcards allowed). The account's IAM policies cannot give a service principal a key: only
 * the key policy can, and without it the service's writes fail at run time, never at deploy.
 */
export function allowServiceOnKey(key: kms.IKey, service: string, sourceArn: string, actions: string[] = WRITE_ENCRYPTED): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(service)],
      actions,
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account }, ArnLike: { 'aws:SourceArn': sourceArn } },
    }),
  );
}

/**
 * SNS parks a message it could not deliver in the subscription's dead-letter queue; when the queue is
 * encrypted with `key`, SNS encrypts it there and the key policy must let it (the queue policy CDK
 * writes lets it send, not encrypt).
 */
export function allowSnsDeadLetters(scope: Construct, key: kms.IKey): void {
  allowServiceOnKey(key, 'sns.amazonaws.com', Stack.of(scope).formatArn({ service: 'sns', resource: '*' }));
}

/**
 * Lets CloudWatch alarms named `alarmNamePrefix…` publish to an encrypted topic: the topic policy
 * (which, once a stack gives a topic any policy, replaces SNS's default one that let the account's
 * services in) and the key that encrypts the topic. Without both, every alarm's action fails.
 */
export function allowAlarmsToPublish(topic: sns.Topic, key: kms.IKey, alarmNamePrefix: string): void {
  const stack = Stack.of(topic);
  const alarms = stack.formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: `${alarmNamePrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': alarms } },
    }),
  );
  allowServiceOnKey(key, 'cloudwatch.amazonaws.com', alarms);
}
