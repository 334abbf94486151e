import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TABLE_METADATA_KEY, TTL_ATTRIBUTE } from '../../lib/constructs/data';
import { DATA_MAP } from '../../lambdas/shared/data-map';
import { synth } from '../helpers/synth';

type Resources = Record<string, { Properties: Record<string, any>; Metadata?: Record<string, unknown> }>;

describe('OmnApi stack (dev)', () => {
  let template: Template;
  let resources: (type: string) => Resources;
  beforeAll(() => {
    template = synth().template;
    resources = (type) => template.findResources(type) as Resources;
  });

  it('has one customer-managed KMS key with rotation', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts every table with the KMS key and keeps point-in-time recovery on', () => {
    const tables = Object.values(resources('AWS::DynamoDB::Table'));
    expect(tables.length).toBeGreaterThanOrEqual(9);
    for (const table of tables) {
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.SSESpecification.KMSMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    }
  });

  it('expires usage logs, sessions and short-lived records through a TTL attribute', () => {
    const ttlOf = (name: string) => {
      const table = Object.values(resources('AWS::DynamoDB::Table')).find((t) => t.Metadata?.[TABLE_METADATA_KEY] === name);
      return table?.Properties.TimeToLiveSpecification;
    };
    for (const name of ['usageLogs', 'sessions', 'tokens', 'securityEvents', 'webhookEvents', 'tickets', 'privacyRequests']) {
      expect(ttlOf(name)).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    }
    expect(ttlOf('ledger')).toBeUndefined();
  });

  it('has a data-map entry for every table in the app, and no entry without a table', () => {
    const names = Object.values(resources('AWS::DynamoDB::Table')).map((t) => t.Metadata?.[TABLE_METADATA_KEY]);
    expect(names.every((n) => typeof n === 'string')).toBe(true);
    expect(names.filter((n) => !(String(n) in DATA_MAP))).toEqual([]);
    expect(Object.keys(DATA_MAP).sort()).toEqual([...names].sort());
  });

  it('encrypts every queue with the KMS key, enforces TLS and gives every non-DLQ queue a DLQ', () => {
    const queues = resources('AWS::SQS::Queue');
    const dlqArns = new Set(
      Object.values(queues).flatMap((q) =>
        q.Properties.RedrivePolicy ? [JSON.stringify(q.Properties.RedrivePolicy.deadLetterTargetArn)] : [],
      ),
    );
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
      const isDlq = dlqArns.has(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })) || /Dlq/.test(id);
      if (!isDlq) expect(queue.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: expect.any(Number) });
    }
    const policies = Object.values(resources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(Object.keys(queues).length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('hides a drained usage event for the longest drain run and a margin, and parks it after five receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 330, RedrivePolicy: { maxReceiveCount: 5 } });
  });

  it('encrypts every data bucket with KMS and denies plain HTTP on all of them', () => {
    const buckets = resources('AWS::S3::Bucket');
    for (const [id, bucket] of Object.entries(buckets)) {
      const rule = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
      // Log delivery (S3 server access logs, CloudFront standard logs) writes with SSE-S3 only.
      if (/^(DataAccessLogs|ConsoleEdgeLogs)/.test(id)) expect(rule.SSEAlgorithm).toBe('AES256');
      else expect(rule).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] } });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    for (const policy of Object.values(resources('AWS::S3::BucketPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('serves an HTTP API with default throttling, JSON access logs, /health and a JSON 404 fallback', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"id":"\\$context.requestId"') },
    });
    const routeKeys = Object.values(resources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routeKeys).toEqual(expect.arrayContaining(['GET /health', '$default']));
  });

  it('writes an access line an operator can follow: request id, time, route, status, latency, caller and integration error', () => {
    const stage = Object.values(resources('AWS::ApiGatewayV2::Stage'))[0]!;
    const fields = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(Object.values(fields).sort()).toEqual(
      [
        '$context.requestId',
        '$context.requestTimeEpoch',
        '$context.routeKey',
        '$context.status',
        '$context.responseLatency',
        '$context.identity.sourceIp',
        '$context.integrationErrorMessage',
      ].sort(),
    );
  });

  it('keeps the access log in the Infrequent Access class, which nothing automated reads', () => {
    const stage = Object.values(resources('AWS::ApiGatewayV2::Stage'))[0]!;
    const [groupId] = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'] as [string, string];
    expect(resources('AWS::Logs::LogGroup')[groupId]!.Properties.LogGroupClass).toBe('INFREQUENT_ACCESS');
    // Infrequent Access groups take no metric or subscription filters: none may point at this one.
    const filters = { ...resources('AWS::Logs::MetricFilter'), ...resources('AWS::Logs::SubscriptionFilter') };
    for (const filter of Object.values(filters)) expect(JSON.stringify(filter.Properties.LogGroupName)).not.toContain(groupId);
    // Every other log group keeps the Standard class (the gateway's carries the UnqueuedUsageEvents metric filter).
    const others = Object.entries(resources('AWS::Logs::LogGroup')).filter(([id]) => id !== groupId);
    for (const [, group] of others) expect(group.Properties.LogGroupClass).toBeUndefined();
  });

  it('never writes Authorization, cookies or bodies to the access log', () => {
    const stage = Object.values(resources('AWS::ApiGatewayV2::Stage'))[0]!;
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/authorization|cookie|requestBody|\$input/i);
  });

  it('runs a Standard privacy workflow with ALL logging and tracing, keeping request data out of its logs', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      // Execution data would copy task tokens and request ids with personal context into CloudWatch Logs.
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: Match.anyValue() },
    });
  });

  it('waits for the confirmation link with a task token, timing out with the link, and fails loudly on a failed step', () => {
    const [machine] = Object.values(resources('AWS::StepFunctions::StateMachine'));
    // The definition is a Fn::Join of text and references; references become placeholders.
    const parts = machine!.Properties.DefinitionString['Fn::Join'][1] as unknown[];
    const definition = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'REF')).join(''));
    expect(definition.States.AwaitConfirmation).toMatchObject({
      Resource: 'arn:REF:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 73 * 3600,
      Parameters: { Payload: { step: 'await', 'taskToken.$': '$$.Task.Token' } },
      Catch: expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['RequestExpired', 'States.Timeout'], Next: 'Expire' })]),
    });
    for (const name of ['Begin', 'Start', 'Export', 'Deliver', 'HandToPerson', 'Expire']) {
      expect(definition.States[name].Retry).toContainEqual(
        expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 3, BackoffRate: 2 }),
      );
      expect(definition.States[name].Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'MarkFailed' })]);
    }
    expect(definition.States.MarkFailed.Next).toBe('Failed');
    expect(definition.States.Failed.Type).toBe('Fail');
  });

  it('runs every function on ARM64 and the newest Node runtime, traced (the hot path by choice), with its own log group', () => {
    // Custom-resource providers (the console's deployment) run only while CloudFormation deploys.
    const providers = new Set(
      Object.values(
        template.toJSON().Resources as Record<string, { Type: string; Properties?: { ServiceToken?: { 'Fn::GetAtt'?: string[] } } }>,
      )
        .filter((r) => r.Type.startsWith('Custom::'))
        .map((r) => r.Properties?.ServiceToken?.['Fn::GetAtt']?.[0]),
    );
    const functions = Object.entries(resources('AWS::Lambda::Function'))
      .filter(([id]) => !providers.has(id))
      .map(([, fn]) => fn);
    // Exactly one function per handler file under lambdas/*/handlers/, and nothing else.
    const handlerFiles = require('node:fs')
      .readdirSync('lambdas', { withFileTypes: true })
      .filter((d: { isDirectory(): boolean }) => d.isDirectory())
      .flatMap((d: { name: string }) => {
        const dir = `lambdas/${d.name}/handlers`;
        return require('node:fs').existsSync(dir)
          ? require('node:fs')
              .readdirSync(dir)
              .filter((f: string) => f.endsWith('.ts'))
              .map((f: string) => `${dir}/${f}`)
          : [];
      })
      .sort();
    // The usage worker's event-source handler is the entry of the `eventSource` delivery (the default drains).
    const eventSourceEntries = Object.values(
      synth({ delivery: 'eventSource' }).template.findResources('AWS::Lambda::Function') as Resources,
    )
      .map((fn) => fn.Metadata?.['omnapi:entry'])
      .filter((entry) => entry && !functions.some((fn) => fn.Metadata?.['omnapi:entry'] === entry));
    expect(eventSourceEntries).toEqual(['lambdas/metering/handlers/usage-worker.ts']);
    expect([...functions.map((fn) => fn.Metadata?.['omnapi:entry']), ...eventSourceEntries].sort()).toEqual(handlerFiles);
    expect(functions).toHaveLength(31);
    const hotPath = (fn: Resources[string]) => /^(Metered hot path|Writes usage logs)/.test(fn.Properties.Description);
    expect(functions.filter(hotPath).map((fn) => fn.Properties.TracingConfig)).toEqual([{ Mode: 'PassThrough' }, { Mode: 'PassThrough' }]);
    const traced = Object.values(synth({ hotPathTracing: 'active' }).template.findResources('AWS::Lambda::Function') as Resources).filter(
      (fn) => fn.Metadata?.['omnapi:entry'],
    );
    expect(new Set(traced.map((fn) => fn.Properties.TracingConfig.Mode))).toEqual(new Set(['Active']));
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: hotPath(fn) ? 'PassThrough' : 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
        KmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
      });
      expect(fn.Metadata?.['omnapi:entry']).toMatch(/^lambdas\/.+\/handlers\/.+\.ts$/);
      // Traces never record answers (personal data, a new key's secret).
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACER_CAPTURE_RESPONSE).toBe('false');
    }
    for (const group of Object.values(resources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.Properties.KmsKeyId).toBeDefined();
    }
  });

  it('gives functions no managed policies, only statements scoped to their resources', () => {
    for (const role of Object.values(resources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('receives privacy@, support@ and hello@ mail into the encrypted bucket, then the inbound function', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Recipients: ['privacy@omnapi.com', 'support@omnapi.com', 'hello@omnapi.com'],
        TlsPolicy: 'Require',
        ScanEnabled: true,
        Actions: [
          { S3Action: { BucketName: Match.anyValue(), ObjectKeyPrefix: 'inbound/' } },
          { LambdaAction: { FunctionArn: Match.anyValue(), InvocationType: 'Event' } },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MailInboundDlq'), 'Arn'] } },
    });
  });

  it('alarms on dead letters, API 5xx, failed workflows and function errors', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map((a) => a.Properties.MetricName);
    expect(metrics).toEqual(expect.arrayContaining(['ApproximateNumberOfMessagesVisible', '5xx', 'ExecutionsFailed', 'Errors']));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it('alarms when usage events wait more than five minutes, and has a dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 300,
      Statistic: 'Maximum',
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('destroys data with a dev stack', () => {
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('OmnApi stack (prod)', () => {
  it('retains tables, turns on deletion protection and subscribes the alarm address', () => {
    const { template } = synth({ stage: 'prod', alarmEmail: 'ops@omnapi.com' });
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@omnapi.com' });
  });

  it('refuses an invalid stage config with every problem named', () => {
    expect(() => synth({ stage: 'prod', mailDomain: 'bad domain', alarmEmail: 'x' })).toThrow(/mailDomain[\s\S]*alarmEmail/);
  });
});

describe('OmnApi stack behind an edge (originSecretName)', () => {
  let template: Template;
  beforeAll(() => {
    // Synth runs cdk-nag: the secret's grants must come with their acknowledgements.
    template = synth({ originSecretName: 'omnapi/dev/origin', publicUrl: 'https://api.omnapi.com' }).template;
  });

  it('gives every function behind a route (and the 404 fallback) the secret, read-only, and no other function', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    const integrated = new Set(
      Object.values(template.findResources('AWS::ApiGatewayV2::Integration') as Resources).map((i) =>
        JSON.stringify(i.Properties.IntegrationUri),
      ),
    );
    const guarded = Object.entries(functions).filter(([, fn]) => fn.Properties.Environment?.Variables?.ORIGIN_SECRET_ARN);
    expect(guarded.length).toBe(integrated.size);
    for (const [id] of guarded) expect([...integrated].some((uri) => uri.includes(`"${id}"`))).toBe(true);
    const worker = Object.entries(functions).find(([id]) => id.includes('UsageWorker'))![1];
    expect(worker.Properties.Environment.Variables.ORIGIN_SECRET_ARN).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':secret:omnapi/dev/origin-\\?\\?\\?\\?\\?\\?$')])] },
          }),
        ]),
      },
    });
  });

  it('refuses an origin secret without the public address mailed links must use, and a local secret outside the local runtime', () => {
    expect(() => synth({ originSecretName: 'omnapi/dev/origin' })).toThrow(/originSecretName: needs publicUrl/);
    expect(() => synth({ localOriginSecret: 'local-origin-secret-0123' })).toThrow(/localOriginSecret: only the local runtime/);
  });
});

describe('the key address watch (addressWatch)', () => {
  const workerOf = (template: Template) =>
    Object.values(template.findResources('AWS::Lambda::Function') as Resources).find((fn) =>
      fn.Properties.Description?.startsWith('Writes usage logs'),
    )!.Properties.Environment.Variables;

  it('flags at 50 addresses an hour by default, without suspending and without any access to keys', () => {
    const template = synth().template;
    expect(workerOf(template)).toMatchObject({
      KEY_ADDRESSES_PER_HOUR: '50',
      SUSPEND_ON_MANY_ADDRESSES: 'false',
      TABLE_SECURITY_EVENTS: expect.anything(),
    });
    expect(workerOf(template).TABLE_API_KEYS).toBeUndefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'KeySeenFromManyAddresses', Namespace: 'OmnAPI' });
  });

  it('may suspend when configured, and only then writes keys and accounts', () => {
    const template = synth({ addressWatch: JSON.stringify({ addressesPerHour: 20, suspend: true }) }).template;
    expect(workerOf(template)).toMatchObject({
      KEY_ADDRESSES_PER_HOUR: '20',
      SUSPEND_ON_MANY_ADDRESSES: 'true',
      TABLE_API_KEYS: expect.anything(),
    });
  });
});

describe('usage-log retention (usageLogRetentionDays)', () => {
  type Fn = {
    Metadata?: Record<string, unknown>;
    Properties: { Environment: { Variables: Record<string, unknown> }; Description?: string };
  };
  // The platform's functions (deploy-time custom-resource handlers, such as the console's, are CDK's own).
  const functions = (context: Record<string, unknown> = {}) =>
    Object.values(synth(context).template.findResources('AWS::Lambda::Function') as Record<string, Fn>).filter(
      (fn) => fn.Metadata?.['omnapi:entry'],
    );

  it('reaches every function as USAGE_LOG_RETENTION_DAYS: 90 by default, the stage value when set', () => {
    expect(new Set(functions().map((fn) => fn.Properties.Environment.Variables.USAGE_LOG_RETENTION_DAYS))).toEqual(new Set(['90']));
    const shorter = functions({ usageLogRetentionDays: 30 });
    expect(new Set(shorter.map((fn) => fn.Properties.Environment.Variables.USAGE_LOG_RETENTION_DAYS))).toEqual(new Set(['30']));
    expect(shorter.some((fn) => /Writes usage logs \(30-day TTL\)/.test(fn.Properties.Description ?? ''))).toBe(true);
  });

  it('refuses a retention that is not whole days from 1 to 3650', () => {
    expect(() => synth({ usageLogRetentionDays: 0 })).toThrow(/usageLogRetentionDays/);
    expect(() => synth({ usageLogRetentionDays: 'ninety' })).toThrow(/usageLogRetentionDays/);
  });
});
