import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildApp } from '../../lib/app';
import { synth } from '../helpers/synth';

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it.each(['dev', 'prod'])('finds nothing unacknowledged in %s, and every acknowledgement gives a reason', (stage) => {
    const { template } = synth({ stage, alarmEmail: 'ops@omnapi.com' });
    const acknowledged = Object.values(template.toJSON().Resources as Record<string, { Metadata?: any }>).flatMap(
      (resource) => (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[],
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) expect(ack.reason.length).toBeGreaterThan(30);
  });

  it('fails the synth when a resource breaks a rule', () => {
    const { app, stack } = buildApp({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    new sqs.Queue(Stack.of(stack), 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS|Serverless-SQSRedrivePolicy|Validation failed/);
  });
});
