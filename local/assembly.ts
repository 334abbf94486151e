import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../lib/app';
import { LOCAL_CONTEXT_KEY } from '../lib/config';
import { ENTRY_METADATA_KEY } from '../lib/constructs/omnapi-function';
import { TABLE_METADATA_KEY } from '../lib/constructs/data';
import { cachedTemplate } from './template-cache';
import { IntrinsicResolver, LOCAL_ACCOUNT, LOCAL_REGION, type LocalIdentity, type Template, type TemplateResource } from './intrinsics';

export interface LocalTable {
  logicalId: string;
  name: string;
  /** The CreateTable input, straight from the template. */
  definition: {
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
    GlobalSecondaryIndexes?: unknown[];
    LocalSecondaryIndexes?: unknown[];
  };
  ttlAttribute?: string;
}

export interface LocalFunction {
  logicalId: string;
  name: string;
  arn: string;
  /** Source file, relative to the project root. */
  entry: string;
  handlerExport: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** ARN of the queue failed asynchronous invocations go to. */
  deadLetterArn?: string;
  /** Logical id of its execution role: its local access key id. */
  roleId?: string;
  logGroupName?: string;
  /** `JSON` or `Text`, as its LoggingConfig says. */
  logFormat?: string;
  applicationLogLevel?: string;
}

export interface LocalRoute {
  /** `GET /v1/keys/{id}` or `$default`. */
  routeKey: string;
  functionId: string;
}

export interface LocalQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  redrive?: { deadLetterArn: string; maxReceiveCount: number };
}

export interface LocalEventSource {
  queueArn: string;
  functionId: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maxConcurrency?: number;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  definition: Record<string, any>;
  /** Logical id of the role it runs its tasks with. */
  roleId?: string;
}

export interface LocalReceiptRule {
  /** What SES names as the source of its calls (aws:SourceArn). */
  arn?: string;
  recipients: string[];
  actions: ({ type: 's3'; bucket: string; prefix: string } | { type: 'lambda'; functionId: string; invocationType: string })[];
}

/** The HTTP API's CORS configuration, as API Gateway applies it. */
export interface LocalCors {
  AllowOrigins?: string[];
  AllowMethods?: string[];
  AllowHeaders?: string[];
  ExposeHeaders?: string[];
  AllowCredentials?: boolean;
  MaxAge?: number;
}

/** Where an SES configuration set reports sending events: an SNS topic, and the functions subscribed to it. */
export interface LocalSesEventDestination {
  configurationSet: string;
  /** SES's event types, lower-case: `bounce`, `complaint`, … */
  events: string[];
  topicArn: string;
  /** Functions subscribed to the topic (SNS → Lambda). */
  functionIds: string[];
}

export interface LocalSchedule {
  ruleId: string;
  /** `rate(15 minutes)`, as the rule says. */
  expression: string;
  everyMs: number;
  functionId: string;
}

/** Everything the local runtime serves, derived from the synthesized CDK app. */
export interface LocalModel {
  template: Template;
  /** Resolves the template's intrinsics to local names, as the model was derived. */
  resolver: IntrinsicResolver;
  /** The HTTP API's id: what API Gateway names as the source of its invocations. */
  apiId?: string;
  tables: LocalTable[];
  functions: Map<string, LocalFunction>;
  routes: LocalRoute[];
  queues: LocalQueue[];
  eventSources: LocalEventSource[];
  stateMachines: LocalStateMachine[];
  buckets: { logicalId: string; name: string }[];
  receiptRules: LocalReceiptRule[];
  /** EventBridge schedules that invoke functions. */
  schedules: LocalSchedule[];
  /** SES configuration sets' event destinations (bounces and complaints to SNS, then to functions). */
  sesEventDestinations: LocalSesEventDestination[];
  /** CORS of the HTTP API, when it has any. */
  cors?: LocalCors;
  /** The stack's outputs, resolved to local names: what `npm run ops` finds resources by. */
  outputs: Record<string, string>;
}

/** Synthesizes the CDK app in-process (no bundling) and returns its template; unchanged inputs reuse the last synthesis's. */
export function synthesizeTemplate(context: Record<string, unknown> = {}): Template {
  return cachedTemplate(context, () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-synth-'));
    try {
      const { app, stack } = buildApp({ outdir, context: { 'aws:cdk:bundling-stacks': [], [LOCAL_CONTEXT_KEY]: true, ...context } });
      const assembly = app.synth();
      return assembly.getStackArtifact(stack.artifactId).template as Template;
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
}

/** Where the local runtime serves what the template names. */
export interface LocalEndpoints {
  /** The local SQS/SFN/SES endpoint: queue URLs live under it. */
  aws: string;
  /** The local HTTP API: what the API's endpoint attribute resolves to. */
  api: string;
}

/** Derives the local model from a template: names, wiring and resolved environments. */
export function deriveModel(template: Template, endpoints: LocalEndpoints): LocalModel {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

  const identities = new Map<string, LocalIdentity>();
  for (const [id, resource] of resources) identities.set(id, identityOf(id, resource, endpoints, arn));
  const resolver = new IntrinsicResolver(identities);
  const functionIdByArn = new Map<string, string>();

  // Custom-resource providers (CDK's console deployment) run only while CloudFormation deploys: nothing local calls them.
  const deployTimeOnly = new Set(
    resources
      .filter(([, r]) => r.Type.startsWith('Custom::'))
      .map(([, r]) => (r.Properties?.ServiceToken as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0]),
  );
  const functions = new Map<string, LocalFunction>();
  for (const [id, resource] of ofType('AWS::Lambda::Function')) {
    if (deployTimeOnly.has(id)) continue;
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (typeof entry !== 'string') throw new Error(`Function ${id} has no ${ENTRY_METADATA_KEY} metadata`);
    const props = resource.Properties ?? {};
    const identity = identities.get(id)!;
    functions.set(id, {
      logicalId: id,
      name: identity.ref,
      arn: identity.attributes.Arn!,
      entry,
      handlerExport: String(props.Handler ?? 'index.handler')
        .split('.')
        .pop()!,
      environment: atLocalConsole(resolver.resolve(props.Environment?.Variables ?? {}), endpoints.api),
      timeoutSeconds: props.Timeout ?? 3,
      memoryMb: props.MemorySize ?? 128,
      deadLetterArn: props.DeadLetterConfig ? resolver.resolve(props.DeadLetterConfig.TargetArn) : undefined,
      roleId: logicalIdOfRef(props.Role),
      logGroupName: props.LoggingConfig?.LogGroup ? String(resolver.resolve(props.LoggingConfig.LogGroup)) : undefined,
      logFormat: props.LoggingConfig?.LogFormat,
      applicationLogLevel: props.LoggingConfig?.ApplicationLogLevel,
    });
    functionIdByArn.set(identity.attributes.Arn!, id);
  }
  const functionIdOf = (value: unknown): string => {
    const resolved = String(resolver.resolve(value));
    const id = functionIdByArn.get(resolved) ?? [...functions.values()].find((f) => f.name === resolved)?.logicalId;
    if (!id) throw new Error(`Local runtime: ${resolved} is not a function of this app`);
    return id;
  };

  const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, functionIdOf(r.Properties!.IntegrationUri)]));
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([id, r]) => {
    const target = String(resolver.resolve(r.Properties!.Target));
    const integrationId = [...integrations.keys()].find((key) => target === `integrations/${identities.get(key)!.ref}`);
    if (!integrationId) throw new Error(`Route ${id} has no Lambda integration the local runtime knows`);
    return { routeKey: String(r.Properties!.RouteKey), functionId: integrations.get(integrationId)! };
  });

  const queues = ofType('AWS::SQS::Queue').map(([id, r]) => {
    const props = r.Properties ?? {};
    const identity = identities.get(id)!;
    const redrive = props.RedrivePolicy ? resolver.resolve(props.RedrivePolicy) : undefined;
    return {
      logicalId: id,
      name: identity.attributes.QueueName!,
      url: identity.ref,
      arn: identity.attributes.Arn!,
      visibilityTimeoutSeconds: props.VisibilityTimeout ?? 30,
      retentionSeconds: props.MessageRetentionPeriod ?? 345_600,
      redrive: redrive ? { deadLetterArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) } : undefined,
    };
  });

  const eventSources = ofType('AWS::Lambda::EventSourceMapping')
    .map(([, r]) => resolver.resolve(r.Properties) as Record<string, any>)
    .filter((props) => String(props.EventSourceArn).startsWith('arn:aws:sqs:'))
    .map((props) => ({
      queueArn: String(props.EventSourceArn),
      functionId: functionIdOf(props.FunctionName),
      batchSize: props.BatchSize ?? 10,
      maxBatchingWindowSeconds: props.MaximumBatchingWindowInSeconds ?? 0,
      reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      maxConcurrency: props.ScalingConfig?.MaximumConcurrency,
    }));

  const stateMachines = ofType('AWS::StepFunctions::StateMachine').map(([id, r]) => {
    const identity = identities.get(id)!;
    const props = r.Properties ?? {};
    const definition = props.DefinitionString ? JSON.parse(resolver.resolve(props.DefinitionString)) : resolver.resolve(props.Definition);
    return { logicalId: id, name: identity.attributes.Name!, arn: identity.ref, definition, roleId: logicalIdOfRef(props.RoleArn) };
  });

  const tables = ofType('AWS::DynamoDB::Table').map(([id, r]) => {
    const props = r.Properties ?? {};
    const ttl = props.TimeToLiveSpecification;
    return {
      logicalId: id,
      name: identities.get(id)!.ref,
      definition: {
        KeySchema: props.KeySchema,
        AttributeDefinitions: props.AttributeDefinitions,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
        LocalSecondaryIndexes: props.LocalSecondaryIndexes,
      },
      ttlAttribute: ttl?.Enabled ? String(ttl.AttributeName) : undefined,
    };
  });

  const buckets = ofType('AWS::S3::Bucket').map(([id]) => ({ logicalId: id, name: identities.get(id)!.ref }));

  const receiptRules = ofType('AWS::SES::ReceiptRule').map(([id, r]) => {
    const rule = r.Properties!.Rule as Record<string, any>;
    const ruleSet = String(resolver.resolve(r.Properties!.RuleSetName));
    const ruleArn = arn('ses', `receipt-rule-set/${ruleSet}:receipt-rule/${rule.Name ? resolver.resolve(rule.Name) : id}`);
    const actions = (rule.Actions ?? []).map((action: Record<string, any>) => {
      if (action.S3Action) {
        const s3Action = resolver.resolve(action.S3Action);
        return { type: 's3' as const, bucket: String(s3Action.BucketName), prefix: String(s3Action.ObjectKeyPrefix ?? '') };
      }
      if (action.LambdaAction) {
        return {
          type: 'lambda' as const,
          functionId: functionIdOf(action.LambdaAction.FunctionArn),
          invocationType: String(action.LambdaAction.InvocationType ?? 'Event'),
        };
      }
      throw new Error(`Local runtime cannot emulate receipt action ${Object.keys(action).join(', ')}`);
    });
    return { arn: ruleArn, recipients: (rule.Recipients ?? []).map((x: string) => x.toLowerCase()), actions };
  });

  const schedules = ofType('AWS::Events::Rule').flatMap(([id, r]) => {
    const props = r.Properties ?? {};
    if (!props.ScheduleExpression || props.State === 'DISABLED') return [];
    const everyMs = rateMs(String(props.ScheduleExpression));
    return (props.Targets ?? []).map((target: Record<string, unknown>) => ({
      ruleId: id,
      expression: String(props.ScheduleExpression),
      everyMs,
      functionId: functionIdOf(target.Arn),
    }));
  });

  const subscriptions = ofType('AWS::SNS::Subscription')
    .map(([, r]) => resolver.resolve(r.Properties) as Record<string, any>)
    .filter((props) => props.Protocol === 'lambda')
    .map((props) => ({ topicArn: String(props.TopicArn), functionId: functionIdOf(props.Endpoint) }));
  const sesEventDestinations = ofType('AWS::SES::ConfigurationSetEventDestination').flatMap(([, r]) => {
    const props = resolver.resolve(r.Properties) as Record<string, any>;
    const destination = props.EventDestination ?? {};
    if (destination.Enabled === false) return [];
    const topicArn = destination.SnsDestination?.TopicARN;
    if (!topicArn) throw new Error(`Local runtime can only emulate SNS event destinations of SES (${props.ConfigurationSetName})`);
    return [
      {
        configurationSet: String(props.ConfigurationSetName),
        events: (destination.MatchingEventTypes ?? []).map((e: string) => e.toLowerCase()),
        topicArn: String(topicArn),
        functionIds: subscriptions.filter((s) => s.topicArn === topicArn).map((s) => s.functionId),
      },
    ];
  });

  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) outputs[name] = String(resolver.resolve(output.Value));

  const cors = ofType('AWS::ApiGatewayV2::Api')
    .map(([, r]) => r.Properties?.CorsConfiguration as LocalCors | undefined)
    .find(Boolean);

  const apiId = ofType('AWS::ApiGatewayV2::Api')[0]?.[0];

  return {
    template,
    resolver,
    apiId,
    tables,
    functions,
    routes,
    queues,
    eventSources,
    stateMachines,
    buckets,
    receiptRules,
    schedules,
    sesEventDestinations,
    outputs,
    cors,
  };
}

/** The logical id in `{ "Fn::GetAtt": [id, "Arn"] }` or `{ Ref: id }`: how a function names its role. */
export function logicalIdOfRef(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const ref = (value as Record<string, unknown>).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** `rate(15 minutes)` → milliseconds; cron expressions fail loudly rather than run at the wrong time. */
function rateMs(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`Local runtime cannot run schedule ${expression}`);
  const unit = match[2]!.startsWith('minute') ? 60_000 : match[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(match[1]) * unit;
}

/** The console distribution's domain, as the template resolves locally: the console is served on the API's port. */
const LOCAL_DISTRIBUTION_DOMAIN = 'console.omnapi.local';

/** Points the distribution's URL (mailed links' PUBLIC_URL, by default) at the local API's port, where `npm start` serves the console. */
function atLocalConsole(environment: Record<string, string>, api: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, String(value).split(`https://${LOCAL_DISTRIBUTION_DOMAIN}`).join(api)]),
  );
}

function identityOf(
  id: string,
  resource: TemplateResource,
  endpoints: LocalEndpoints,
  arn: (service: string, resource: string) => string,
): LocalIdentity {
  const awsEndpoint = endpoints.aws;
  switch (resource.Type) {
    case 'AWS::ApiGatewayV2::Api':
      return { ref: id, attributes: { ApiEndpoint: endpoints.api, ApiId: id } };
    case 'AWS::CloudFront::Distribution':
      return { ref: id, attributes: { DomainName: LOCAL_DISTRIBUTION_DOMAIN, Id: id } };
    case 'AWS::DynamoDB::Table': {
      const name = String(resource.Metadata?.[TABLE_METADATA_KEY] ?? id);
      return { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`), StreamArn: arn('dynamodb', `table/${name}/stream/local`) } };
    }
    case 'AWS::SQS::Queue': {
      const url = `${awsEndpoint}/${LOCAL_ACCOUNT}/${id}`;
      return { ref: url, attributes: { Arn: arn('sqs', id), QueueName: id, QueueUrl: url } };
    }
    case 'AWS::S3::Bucket': {
      const name = id.toLowerCase();
      return { ref: name, attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } };
    }
    case 'AWS::Lambda::Function':
      return { ref: id, attributes: { Arn: arn('lambda', `function:${id}`) } };
    case 'AWS::StepFunctions::StateMachine': {
      const name = typeof resource.Properties?.StateMachineName === 'string' ? resource.Properties.StateMachineName : id;
      return { ref: arn('states', `stateMachine:${name}`), attributes: { Name: name, Arn: arn('states', `stateMachine:${name}`) } };
    }
    case 'AWS::KMS::Key':
      return { ref: id, attributes: { Arn: arn('kms', `key/${id}`), KeyId: id } };
    case 'AWS::SES::ConfigurationSet': {
      const name = typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : id;
      return { ref: name, attributes: { Arn: arn('ses', `configuration-set/${name}`) } };
    }
    case 'AWS::SNS::Topic':
      return { ref: arn('sns', id), attributes: { TopicArn: arn('sns', id), TopicName: id } };
    case 'AWS::Events::Rule':
      return { ref: id, attributes: { Arn: arn('events', `rule/${id}`) } };
    case 'AWS::IAM::Role':
      return { ref: id, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${id}`, RoleId: id } };
    case 'AWS::Logs::LogGroup':
      return { ref: id, attributes: { Arn: arn('logs', `log-group:${id}:*`) } };
    default:
      return { ref: id, attributes: new Proxy({}, { get: (_t, attribute) => `${id}.${String(attribute)}` }) };
  }
}
