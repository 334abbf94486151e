import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Data } from '../../lib/constructs/data';
import { OmnApiFunction } from '../../lib/constructs/omnapi-function';
import {
  IAM_ROLE_INLINE_POLICY_LIMIT,
  LAMBDA_ENVIRONMENT_LIMIT_BYTES,
  templateShape,
  worstCaseLength,
} from '../../lib/constructs/shared/deploy-limits';
import { DEFAULT_CATALOG } from '../../lambdas/metering/catalog';
import { synth } from '../helpers/synth';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** A catalog a marketplace could well sell: 25 partner APIs, each with its own upstream. */
const marketplace = {
  ...DEFAULT_CATALOG,
  products: Object.fromEntries(
    Array.from({ length: 25 }, (_, i) => [
      `partner-${i}`,
      { upstream: `https://api.partner-${i}.example.com/v2/`, priceMicroCredits: 2_000_000, passHeaders: ['content-type', 'accept'] },
    ]),
  ),
};

describe('what CloudFormation refuses and synth does not check, refused at synth', () => {
  it('a stage whose catalog would take a function past Lambda’s 4 KB of environment, naming the function and the setting', () => {
    expect(() => synth({ catalog: JSON.stringify(marketplace) })).toThrow(
      new RegExp(`Metering/Gateway[^\\n]*over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}[^\\n]*CATALOG`),
    );
  });

  it('a function whose variable name Lambda would refuse (CDK refuses only the reserved ones)', () => {
    const featureFlags = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;
    const app = new App({ context: { ...featureFlags, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Test');
    const data = new Data(stack, 'Data', { retainData: false });
    new OmnApiFunction(stack, 'Fn', {
      entry: 'lambdas/platform/handlers/health.ts',
      description: 'test',
      serviceName: 'test',
      key: data.key,
      environment: { 'KEY-WITH-DASH': 'x', '1ST': 'y' },
    });
    expect(() => app.synth()).toThrow(/"KEY-WITH-DASH" is not a valid variable name[\s\S]*"1ST" is not a valid variable name/);
  });
});

/** Rules over every resource of a kind in the app's templates, so a construct added later is held to them too. */
describe.each([
  ['dev', {}],
  ['prod', { stage: 'prod', alarmEmail: 'ops@omnapi.com' }],
])('deploy limits of the %s template', (_stage, context) => {
  const { template: assertions, stack } = synth(context);
  const template = assertions.toJSON() as { Resources: Resources; Outputs?: object };
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const shape = templateShape(template, stack.stackName);

  it('every SQS event source can be created: the queue hides a message at least as long as the function runs, batches over 10 wait at least 1 s', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const [id, mapping] of mappings) {
      const props = mapping.Properties!;
      const queue = resources[props.EventSourceArn['Fn::GetAtt'][0]]!.Properties!;
      const fn = resources[props.FunctionName.Ref]!.Properties!;
      const visibility = queue.VisibilityTimeout ?? 30;
      const timeout = fn.Timeout ?? 3;
      if (visibility < timeout)
        problems.push(`${id}: the queue's visibility timeout ${visibility} s is below the function's timeout ${timeout} s`);
      const batch = props.BatchSize ?? 10;
      if (batch > 10 && !(props.MaximumBatchingWindowInSeconds >= 1)) problems.push(`${id}: batch size ${batch} with no batching window`);
      if (batch > 10_000) problems.push(`${id}: batch size ${batch} over 10,000`);
      const concurrency = props.ScalingConfig?.MaximumConcurrency;
      if (concurrency !== undefined && (concurrency < 2 || concurrency > 1000)) problems.push(`${id}: maximum concurrency ${concurrency}`);
    }
    expect(problems).toEqual([]);
  });

  it('every function behind a route finishes within its integration’s timeout (else the caller gets 503 while it still runs, and retries)', () => {
    const integrations = ofType('AWS::ApiGatewayV2::Integration');
    expect(integrations.length).toBeGreaterThan(10);
    const late = integrations.flatMap(([id, integration]) => {
      const functionId = JSON.stringify(integration.Properties!.IntegrationUri).match(/"([A-Za-z0-9]+)","Arn"/)?.[1];
      if (!functionId || resources[functionId]?.Type !== 'AWS::Lambda::Function') return [`${id}: integrates no function of this stack`];
      const timeout = resources[functionId]!.Properties?.Timeout ?? 3;
      const limit = (integration.Properties!.TimeoutInMillis ?? 30_000) / 1000;
      return timeout > limit ? [`${id}: ${functionId} runs up to ${timeout} s, the integration waits ${limit} s`] : [];
    });
    expect(late).toEqual([]);
  });

  it('every name the stack sets is within its service’s limit', () => {
    const limits: Record<string, [string, number]> = {
      'AWS::Lambda::Function': ['FunctionName', 64],
      'AWS::IAM::Role': ['RoleName', 64],
      'AWS::SQS::Queue': ['QueueName', 80],
      'AWS::Events::Rule': ['Name', 64],
      'AWS::CloudWatch::Alarm': ['AlarmName', 255],
      'AWS::StepFunctions::StateMachine': ['StateMachineName', 80],
      'AWS::SES::ConfigurationSet': ['Name', 64],
      'AWS::SNS::Topic': ['TopicName', 256],
      'AWS::Logs::LogGroup': ['LogGroupName', 512],
      'AWS::KMS::Alias': ['AliasName', 256],
      'AWS::SES::ReceiptRuleSet': ['RuleSetName', 64],
    };
    const named = Object.entries(resources).flatMap(([id, r]) => {
      const [property, limit] = r.Type === 'AWS::SES::ReceiptRule' ? ['Rule', 64] : (limits[r.Type] ?? []);
      const name = property === 'Rule' ? r.Properties?.Rule?.Name : property ? r.Properties?.[property] : undefined;
      return name === undefined ? [] : [{ id, length: worstCaseLength(name, shape), limit: limit! }];
    });
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => n.length > n.limit)).toEqual([]);
  });

  it('every role’s inline policies fit IAM’s 10,240 characters at their longest', () => {
    const byRole = new Map<string, number>();
    for (const [, policy] of ofType('AWS::IAM::Policy'))
      for (const role of policy.Properties!.Roles ?? [])
        byRole.set(role.Ref, (byRole.get(role.Ref) ?? 0) + worstCaseLength(policy.Properties!.PolicyDocument, shape));
    expect(byRole.size).toBeGreaterThan(10);
    expect([...byRole].filter(([, size]) => size > IAM_ROLE_INLINE_POLICY_LIMIT)).toEqual([]);
  });

  it('stays inside the quotas: 500 resources, 200 outputs and a 1 MB template per stack, 300 routes per HTTP API', () => {
    expect(Object.keys(resources).length).toBeLessThanOrEqual(500);
    expect(Object.keys(template.Outputs ?? {}).length).toBeLessThanOrEqual(200);
    expect(JSON.stringify(template).length).toBeLessThanOrEqual(1_000_000);
    expect(ofType('AWS::ApiGatewayV2::Route').length).toBeLessThanOrEqual(300);
  });

  it('every function’s resource policy (its Lambda permissions) fits Lambda’s 20 KB at its longest', () => {
    const byFunction = new Map<string, number>();
    for (const [, permission] of ofType('AWS::Lambda::Permission')) {
      const target = JSON.stringify(permission.Properties!.FunctionName);
      // Each permission is one statement: principal, action, resource, conditions, a statement id.
      byFunction.set(target, (byFunction.get(target) ?? 0) + worstCaseLength(permission.Properties, shape) + 200);
    }
    expect(byFunction.size).toBeGreaterThan(10);
    expect([...byFunction].filter(([, size]) => size > 20_480)).toEqual([]);
  });

  it('every resource policy fits its service’s limit at its longest: a KMS key’s 32 KB, a bucket’s 20 KB, a topic’s 30 KB', () => {
    const policies: [string, string, number][] = [
      ['AWS::KMS::Key', 'KeyPolicy', 32_768],
      ['AWS::S3::BucketPolicy', 'PolicyDocument', 20_480],
      ['AWS::SNS::TopicPolicy', 'PolicyDocument', 30_720],
    ];
    const sized = policies.flatMap(([type, property, limit]) =>
      ofType(type).map(([id, r]) => ({ id, bytes: worstCaseLength(r.Properties![property], shape), limit })),
    );
    expect(sized.length).toBeGreaterThan(5);
    expect(sized.filter((p) => p.bytes > p.limit)).toEqual([]);
  });

  it('every dead-letter queue keeps a message as long as its source does (a message keeps its first enqueue time when it moves)', () => {
    const redriven = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties?.RedrivePolicy);
    expect(redriven.length).toBeGreaterThan(0);
    const retention = (queue: Resources[string]) => queue.Properties?.MessageRetentionPeriod ?? 345_600;
    const shorter = redriven.filter(
      ([, queue]) => retention(resources[queue.Properties!.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]]!) < retention(queue),
    );
    expect(shorter.map(([id]) => id)).toEqual([]);
  });

  it('has no dependency cycle (CloudFormation refuses one; synth writes it without a word)', () => {
    const dependsOn = (value: unknown, found: Set<string>): Set<string> => {
      if (Array.isArray(value)) for (const item of value) dependsOn(item, found);
      else if (value && typeof value === 'object')
        for (const [key, item] of Object.entries(value)) {
          if (key === 'Ref' && typeof item === 'string' && resources[item]) found.add(item);
          else if (key === 'Fn::GetAtt') found.add(Array.isArray(item) ? String(item[0]) : String(item).split('.')[0]!);
          else if (key === 'Fn::Sub')
            for (const [, id] of String(Array.isArray(item) ? item[0] : item).matchAll(/\$\{([^}.!]+)/g))
              if (resources[id!]) found.add(id!);
          if (key !== 'Ref') dependsOn(item, found);
        }
      return found;
    };
    const edges = new Map(
      Object.entries(resources).map(([id, r]) => [
        id,
        [...dependsOn(r.Properties, new Set([(r as { DependsOn?: string[] }).DependsOn ?? []].flat()))],
      ]),
    );
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (id: string, path: string[]): void => {
      if (path.includes(id)) return void cycles.push([...path.slice(path.indexOf(id)), id].join(' → '));
      if (done.has(id)) return;
      for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
      done.add(id);
    };
    for (const id of edges.keys()) visit(id, []);
    expect(cycles).toEqual([]);
  });
});
