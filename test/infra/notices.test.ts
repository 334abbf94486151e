import { Match } from 'aws-cdk-lib/assertions';
import { synth } from '../helpers/synth';

type Resource = { Properties: Record<string, any> };

/** Notices and mail delivery in the template: the queue, its sender and pacing, the feedback path, and what every mailer is bound to. */
describe('notices and mail delivery', () => {
  const { template } = synth({ notices: '{"sendsPerSecond":14}' });
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
  const variables = (fn: Resource) => (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;

  it('every function that sends mail reads the suppression list and sends through the configuration set', () => {
    const senders = functions.filter((fn) => 'MAIL_FROM' in variables(fn));
    expect(senders.length).toBeGreaterThan(8);
    for (const fn of senders)
      expect(variables(fn)).toMatchObject({ TABLE_SUPPRESSIONS: expect.anything(), MAIL_CONFIGURATION_SET: 'OmnApi-dev-mail' });
  });

  it('reports bounces and complaints of the configuration set to an encrypted topic, and the topic to the feedback function with a DLQ', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'OmnApi-dev-mail',
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: Match.stringLikeRegexp('^MailDeliveryConfigurationSet') },
      EventDestination: { Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    const feedback = functions.find((fn) => fn.Properties.Description?.startsWith('Puts the addresses SES reports'))!;
    expect(variables(feedback)).toHaveProperty('TABLE_SUPPRESSIONS');
  });

  it('queues recipients on a KMS queue with a DLQ, consumed by at most two senders, each at half the stage rate', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    const sender = functions.find((fn) => fn.Properties.Description?.startsWith('Delivers one notice'))!;
    expect(variables(sender)).toMatchObject({
      NOTICE_SENDS_PER_SECOND: '7',
      NOTICES_FROM: 'notices@omnapi.com',
      TABLE_NOTICES: expect.anything(),
      TABLE_ACCOUNTS: expect.anything(),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: 'Messages are parked in the Notices dead-letter queue' });
    template.hasOutput('QueueNoticesUrl', {});
  });

  it('refuses a subscription address on another domain, or the transactional one', () => {
    expect(() => synth({ notices: '{"from":"news@elsewhere.org"}' })).toThrow(
      'Notices: noticesFrom: must be on the domain of mailFrom (no-reply@omnapi.com), got news@elsewhere.org',
    );
    expect(() => synth({ notices: '{"from":"no-reply@omnapi.com"}' })).toThrow('Notices: noticesFrom: must differ from mailFrom');
  });
});
