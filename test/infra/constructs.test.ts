import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_CATALOG } from '../../lambdas/metering/catalog';
import { Api } from '../../lib/constructs/api';
import { Data } from '../../lib/constructs/data';
import { Metering } from '../../lib/constructs/metering';
import { Notices } from '../../lib/constructs/notices';
import { Privacy } from '../../lib/constructs/privacy';
import { OmnApiFunction } from '../../lib/constructs/omnapi-function';
import { routeFunctions } from '../../lib/constructs/shared/route-functions';
import { platformRoutes } from '../../lambdas/platform/routes';

/** cdk.json's feature flags, which the app's buckets need (as `buildApp` applies them). */
const featureFlags = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

/** A stack with the data and the API, to build one more construct in; nothing is bundled. */
function base() {
  const stack = new Stack(new App({ context: { ...featureFlags, 'aws:cdk:bundling-stacks': [] } }), 'Test');
  const data = new Data(stack, 'Data', { retainData: false });
  const defaults = { key: data.key };
  const api = new Api(stack, 'Api', { defaults, stage: 'dev', throttlingRateLimit: 10, throttlingBurstLimit: 20 });
  return { stack, data, defaults, api };
}

describe('construct props are checked, with every problem named', () => {
  it('Metering refuses out-of-range settings', () => {
    const { stack, data, defaults, api } = base();
    expect(
      () =>
        new Metering(stack, 'Metering', {
          defaults,
          api,
          tables: data.tables,
          catalog: DEFAULT_CATALOG,
          mailFrom: 'no-reply@omnapi.com',
          batchSize: 0,
          keyCacheSeconds: 301,
          maxReceiveCount: 1.5,
          addressWatch: { addressesPerHour: 1, suspend: false },
          batchWindowSeconds: 301,
        }),
    ).toThrow(
      'Metering: maxReceiveCount: must be an integer from 1 to 1000, got 1.5; batchSize: must be an integer from 1 to 10000, got 0; batchWindowSeconds: must be an integer from 0 to 300, got 301; keyCacheSeconds: must be an integer from 0 to 300, got 301; addressWatch.addressesPerHour: must be an integer from 2 to 10000, got 1',
    );
  });

  it('Metering drains the usage queue every minute in batches of 10,000 by default, with no event source mapping', () => {
    const { stack, data, defaults, api } = base();
    const metering = new Metering(stack, 'Metering', {
      defaults,
      api,
      tables: data.tables,
      catalog: DEFAULT_CATALOG,
      mailFrom: 'no-reply@omnapi.com',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    const worker = stack.getLogicalId(metering.worker.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [worker, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      MemorySize: 1024,
      Environment: { Variables: Match.objectLike({ DRAIN_BATCH_SIZE: '10000', QUEUE_USAGE_URL: Match.anyValue() }) },
    });
    // Received messages stay hidden for the longest run (five minutes) and a margin.
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 330, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('UsageQueue'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('Metering with an event source gathers usage in batches of 1,000 over 30 s, and refuses a window Lambda would not take for big batches', () => {
    const { stack, data, defaults, api } = base();
    const props = { api, tables: data.tables, catalog: DEFAULT_CATALOG, mailFrom: 'no-reply@omnapi.com', delivery: 'eventSource' as const };
    new Metering(stack, 'Metering', { ...props, defaults });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.resourceCountIs('AWS::Events::Rule', 1);
    // Lambda's advice: six times the worker's 30 s, plus the window.
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 210 });
    const other = base();
    expect(
      () =>
        new Metering(other.stack, 'Metering', {
          ...props,
          defaults: other.defaults,
          api: other.api,
          tables: other.data.tables,
          batchWindowSeconds: 0,
        }),
    ).toThrow('Metering: batchWindowSeconds: must be at least 1 for batches above 10 (Lambda refuses 0), got 0');
  });

  it('Notices refuses a subscription address off the verified domain, and a pace SES would not take', () => {
    const { stack, data, defaults, api } = base();
    const props = {
      defaults,
      api,
      tables: data.tables,
      mailFrom: 'no-reply@omnapi.com',
      mailDomain: 'omnapi.com',
      publicUrl: 'https://omnapi.com',
      localLinkKeys: 'k'.repeat(40),
    };
    expect(() => new Notices(stack, 'OffDomain', { ...props, noticesFrom: 'news@elsewhere.org', sendsPerSecond: 0 })).toThrow(
      'Notices: sendsPerSecond: must be above 0; noticesFrom: must be on the domain of mailFrom (no-reply@omnapi.com), got news@elsewhere.org: only that identity is verified',
    );
    expect(
      () => new Notices(stack, 'SameAddress', { ...props, noticesFrom: 'no-reply@omnapi.com', sendsPerSecond: 10, maxReceiveCount: 0 }),
    ).toThrow(
      'Notices: maxReceiveCount: must be an integer from 1 to 1000, got 0; noticesFrom: must differ from mailFrom: subscription and transactional mail come from different addresses',
    );
  });

  it('Privacy refuses a reminder that would come after its link expired, and keeps its clocks otherwise', () => {
    const { stack, data, defaults, api } = base();
    const props = {
      defaults,
      api,
      tables: data.tables,
      accessLogs: data.accessLogs,
      mailFrom: 'no-reply@omnapi.com',
      publicUrl: 'https://omnapi.com',
      localPseudonymKeys: 'k'.repeat(40),
    };
    expect(() => new Privacy(stack, 'Refused', { ...props, linkLifeHours: 24, reminderAfterHours: 24, watchdogMinutes: 0 })).toThrow(
      'Privacy: watchdogMinutes: must be an integer from 1 to 1440, got 0; reminderAfterHours: must be less than linkLifeHours (24), got 24: the reminder would come after the link expired',
    );
    new Privacy(stack, 'Privacy', { ...props, linkLifeHours: 48 });
    const template = Template.fromStack(stack);
    const watchdog = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) =>
      String(fn.Properties.Description).startsWith('Reminds about unused confirmation links'),
    );
    // Unset clocks keep the schema's defaults: the reminder at 36 hours, a 24-hour cooling-off, a watchdog every 15 minutes.
    expect(watchdog?.Properties.Environment.Variables).toMatchObject({
      LINK_LIFE_HOURS: '48',
      REMINDER_AFTER_HOURS: '36',
      COOLING_OFF_SECONDS: String(24 * 3600),
      PRIVACY_DEADLINES: JSON.stringify({ days: 30, byCountry: {} }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: 'Runs the privacy watchdog',
      ScheduleExpression: 'rate(15 minutes)',
    });
  });

  it('routeFunctions refuses a route without a function spec and a spec without a route', () => {
    const { stack, defaults, api } = base();
    expect(() =>
      routeFunctions(stack, {
        defaults,
        api,
        context: 'platform',
        manifest: platformRoutes,
        handlers: { health: { description: 'x' }, stray: { description: 'y' } },
      }),
    ).toThrow(/platform routes: routes name handler "openapi" but it has no function spec; function spec "stray" serves no route/);
  });

  it('Api takes one origin secret, from Secrets Manager or (locally) as a value, not both', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
    const data = new Data(stack, 'Data', { retainData: false });
    expect(
      () =>
        new Api(stack, 'Api', {
          defaults: { key: data.key },
          stage: 'dev',
          throttlingRateLimit: 1,
          throttlingBurstLimit: 1,
          originSecretName: 'a',
          localOriginSecret: 'b'.repeat(16),
        }),
    ).toThrow(/not both/);
  });

  it('OmnApiFunction refuses tracing other than active without a reason', () => {
    const { stack, data } = base();
    expect(
      () =>
        new OmnApiFunction(stack, 'Untraced', {
          entry: 'lambdas/platform/handlers/health.ts',
          description: 'x',
          key: data.key,
          serviceName: 'x',
          tracing: lambda.Tracing.PASS_THROUGH,
        }),
    ).toThrow(/needs a tracingReason/);
  });

  it('OmnApiFunction refuses files beside its bundle that are missing or share a name, naming each', () => {
    const { stack, data } = base();
    expect(
      () =>
        new OmnApiFunction(stack, 'Beside', {
          entry: 'lambdas/platform/handlers/health.ts',
          description: 'x',
          key: data.key,
          serviceName: 'x',
          besideBundle: ['lambdas/privacy/messages/nowhere.json', 'lambdas/privacy/messages/de.json', 'lambdas/privacy/vocabulary/de.json'],
        }),
    ).toThrow('Beside: lambdas/privacy/messages/nowhere.json does not exist; two files beside the bundle are named de.json');
  });

  it('OmnApiFunction names the files beside its bundle in the template, for the local runtime', () => {
    const { stack, data } = base();
    new OmnApiFunction(stack, 'Beside', {
      entry: 'lambdas/platform/handlers/health.ts',
      description: 'x',
      key: data.key,
      serviceName: 'x',
      besideBundle: ['lambdas/privacy/messages/de.json'],
    });
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions.map((fn) => fn.Metadata?.['omnapi:besideBundle']).filter(Boolean)).toEqual([['lambdas/privacy/messages/de.json']]);
  });
});
