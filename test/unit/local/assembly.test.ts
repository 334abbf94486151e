import { deriveModel } from '../../../local/assembly';
import type { Template, TemplateResource } from '../../../local/intrinsics';
import { ENTRY_METADATA_KEY } from '../../../lib/constructs/omnapi-function';

const endpoints = { aws: 'http://127.0.0.1:4566', api: 'http://localhost:3000' };
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** A small template in the shapes CDK synthesizes: a routed function, a queue worker with its DLQ, a schedule, a deploy-time provider. */
function template(extra: Record<string, TemplateResource> = {}): Template {
  const fn = (entry: string, variables: Record<string, unknown> = {}): TemplateResource => ({
    Type: 'AWS::Lambda::Function',
    Metadata: { [ENTRY_METADATA_KEY]: entry },
    Properties: { Handler: 'index.handler', Timeout: 10, Role: arnOf(`${entry}Role`), Environment: { Variables: variables } },
  });
  return {
    Resources: {
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { CorsConfiguration: { AllowOrigins: ['https://app.example'] } } },
      Health: fn('health', { QUEUE_URL: { Ref: 'Work' }, PUBLIC_URL: 'https://console.omnapi.local/x' }),
      HealthIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { IntegrationUri: arnOf('Health') } },
      HealthRoute: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: { RouteKey: 'GET /health', Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'HealthIntegration' }]] } },
      },
      Worker: fn('worker'),
      Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      Work: {
        Type: 'AWS::SQS::Queue',
        Properties: { VisibilityTimeout: 180, RedrivePolicy: { deadLetterTargetArn: arnOf('Dlq'), maxReceiveCount: 5 } },
      },
      WorkMapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: arnOf('Work'),
          FunctionName: { Ref: 'Worker' },
          BatchSize: 5,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        },
      },
      Every15: {
        Type: 'AWS::Events::Rule',
        Properties: { ScheduleExpression: 'rate(15 minutes)', Targets: [{ Arn: arnOf('Worker'), Id: 'Target0' }] },
      },
      Provider: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
      Deployment: { Type: 'Custom::CDKBucketDeployment', Properties: { ServiceToken: arnOf('Provider') } },
      ...extra,
    },
    Outputs: { QueueWorkUrl: { Value: { Ref: 'Work' } } },
  } as Template;
}

describe('deriveModel', () => {
  const model = deriveModel(template(), endpoints);

  it('serves each function with its resolved environment and role, leaving out deploy-time providers', () => {
    expect([...model.functions.keys()]).toEqual(['Health', 'Worker']);
    expect(model.functions.get('Health')).toMatchObject({
      entry: 'health',
      handlerExport: 'handler',
      timeoutSeconds: 10,
      memoryMb: 128,
      roleId: 'healthRole',
      environment: { QUEUE_URL: 'http://127.0.0.1:4566/000000000000/Work', PUBLIC_URL: 'http://localhost:3000/x' },
    });
  });

  it('marks a schedule whose function receives from a queue itself as a drain (its period is a batching window locally)', () => {
    const drained = deriveModel(
      template({
        Drain: {
          Type: 'AWS::Lambda::Function',
          Metadata: { [ENTRY_METADATA_KEY]: 'drain' },
          Properties: { Handler: 'index.handler', Role: arnOf('DrainRole') },
        },
        DrainRole: { Type: 'AWS::IAM::Role', Properties: {} },
        DrainPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'DrainRole' }],
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'], Resource: arnOf('Work') }],
            },
          },
        },
        EveryMinute: {
          Type: 'AWS::Events::Rule',
          Properties: { ScheduleExpression: 'rate(1 minute)', Targets: [{ Arn: arnOf('Drain'), Id: 'Target0' }] },
        },
      }),
      endpoints,
    );
    expect(drained.schedules.map((s) => [s.functionId, s.everyMs, s.drainsQueue])).toEqual([
      ['Worker', 900_000, false],
      ['Drain', 60_000, true],
    ]);
  });

  it('routes each route key to the function its integration invokes, with the API id and CORS', () => {
    expect(model.routes).toEqual([{ routeKey: 'GET /health', functionId: 'Health' }]);
    expect(model.apiId).toBe('Api');
    expect(model.cors).toEqual({ AllowOrigins: ['https://app.example'] });
  });

  it('derives queues with their redrive, the SQS mapping, the schedule and the outputs', () => {
    expect(model.queues.find((q) => q.logicalId === 'Work')).toMatchObject({
      visibilityTimeoutSeconds: 180,
      retentionSeconds: 345_600,
      redrive: { deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:Dlq', maxReceiveCount: 5 },
    });
    expect(model.eventSources).toEqual([
      {
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:Work',
        functionId: 'Worker',
        batchSize: 5,
        maxBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        maxConcurrency: undefined,
      },
    ]);
    expect(model.schedules).toEqual([
      { ruleId: 'Every15', expression: 'rate(15 minutes)', everyMs: 900_000, functionId: 'Worker', drainsQueue: false },
    ]);
    expect(model.outputs).toEqual({ QueueWorkUrl: 'http://127.0.0.1:4566/000000000000/Work' });
  });

  it('refuses what it cannot serve faithfully: a function without its source, a target outside the app, a cron schedule', () => {
    expect(() => deriveModel(template({ Stray: { Type: 'AWS::Lambda::Function', Properties: {} } }), endpoints)).toThrow(
      `Function Stray has no ${ENTRY_METADATA_KEY} metadata`,
    );
    const elsewhere = {
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: 'arn:aws:lambda:us-east-1:1:function:x' }] },
    };
    expect(() => deriveModel(template({ Elsewhere: elsewhere }), endpoints)).toThrow(
      'Local runtime: arn:aws:lambda:us-east-1:1:function:x is not a function of this app',
    );
    const cron = {
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: 'cron(0 12 * * ? *)', Targets: [{ Arn: arnOf('Worker') }] },
    };
    expect(() => deriveModel(template({ Cron: cron }), endpoints)).toThrow('Local runtime cannot run schedule cron(0 12 * * ? *)');
  });
});
