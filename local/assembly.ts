import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BESIDE_BUNDLE_METADATA_KEY, ENTRY_METADATA_KEY, LOCAL_CONTEXT_KEY, TABLE_METADATA_KEY } from '../lib/template-keys';
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
  /** Files (relative to the project root) its bundle reads from beside it, as the function construct copies them. */
  besideBundle: string[];
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
  /** The function receives from a queue itself (a drain): its period is a batching window, scaled as one locally. */
  drainsQueue: boolean;
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

/**
 * Synthesizes the CDK app in-process and returns its template; unchanged inputs reuse the last synthesis's.
 * No bundling (the runtime bundles for itself) and no built-in CloudFormation schema validation: it
 * changes nothing in the template, costs two thirds of a synth's CPU, and `cdk synth` runs it (as does
 * test/infra/bundling.test.ts, which holds the app to no finding).
 */
export function synthesizeTemplate(context: Record<string, unknown> = {}): Template {
  return cachedTemplate(context, () => {
    // Loaded only to synthesize: a runtime that finds its template cached never loads aws-cdk-lib.
    const { buildApp } = require('../lib/app') as typeof import('../lib/app');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-synth-'));
    try {
      const { app, stack } = buildApp({
        outdir,
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [], [LOCAL_CONTEXT_KEY]: true, ...context },
      });
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
  const identities = new Map(resources.map(([id, resource]) => [id, identityOf(id, resource, endpoints)]));
  const stack: SynthesizedStack = {
    resources,
    ofType: (type) => resources.filter(([, r]) => r.Type === type),
    identity: (id) => identities.get(id)!,
    resolver: new IntrinsicResolver(identities),
  };
  const functions = deriveFunctions(stack, endpoints.api);
  const functionIdOf = functionFinder(stack.resolver, functions);
  const httpApis = stack.ofType('AWS::ApiGatewayV2::Api');
  return {
    template,
    resolver: stack.resolver,
    apiId: httpApis[0]?.[0],
    tables: deriveTables(stack),
    functions,
    routes: deriveRoutes(stack, functionIdOf),
    queues: deriveQueues(stack),
    eventSources: deriveEventSources(stack, functionIdOf),
    stateMachines: deriveStateMachines(stack),
    buckets: stack.ofType('AWS::S3::Bucket').map(([id]) => ({ logicalId: id, name: stack.identity(id).ref })),
    receiptRules: deriveReceiptRules(stack, functionIdOf),
    schedules: deriveSchedules(stack, functionIdOf),
    sesEventDestinations: deriveSesEventDestinations(stack, functionIdOf),
    outputs: deriveOutputs(template, stack.resolver),
    cors: httpApis.map(([, r]) => r.Properties?.CorsConfiguration as LocalCors | undefined).find(Boolean),
  };
}

/** What each part of the model is read from: the template's resources, their local identities, and the resolver. */
interface SynthesizedStack {
  resources: [string, TemplateResource][];
  ofType(type: string): [string, TemplateResource][];
  identity(logicalId: string): LocalIdentity;
  resolver: IntrinsicResolver;
}

/** The logical id of the function a template value (an ARN or a name, resolved) stands for; throws for anything else. */
type FunctionIdOf = (value: unknown) => string;

/** The app's functions with their environments resolved; custom-resource providers, which only run at deploy, left out. */
function deriveFunctions(stack: SynthesizedStack, apiUrl: string): Map<string, LocalFunction> {
  // Custom-resource providers (CDK's console deployment) run only while CloudFormation deploys: nothing local calls them.
  const deployTimeOnly = new Set(
    stack.resources
      .filter(([, r]) => r.Type.startsWith('Custom::'))
      .map(([, r]) => (r.Properties?.ServiceToken as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0]),
  );
  const functions = new Map<string, LocalFunction>();
  for (const [id, resource] of stack.ofType('AWS::Lambda::Function')) {
    if (deployTimeOnly.has(id)) continue;
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (typeof entry !== 'string') throw new Error(`Function ${id} has no ${ENTRY_METADATA_KEY} metadata`);
    const props = resource.Properties ?? {};
    const identity = stack.identity(id);
    functions.set(id, {
      logicalId: id,
      name: identity.ref,
      arn: identity.attributes.Arn!,
      entry,
      besideBundle: besideBundleOf(id, resource.Metadata?.[BESIDE_BUNDLE_METADATA_KEY]),
      handlerExport: String(props.Handler ?? 'index.handler')
        .split('.')
        .pop()!,
      environment: atLocalConsole(stack.resolver.resolve(props.Environment?.Variables ?? {}), apiUrl),
      timeoutSeconds: props.Timeout ?? 3,
      memoryMb: props.MemorySize ?? 128,
      deadLetterArn: props.DeadLetterConfig ? stack.resolver.resolve(props.DeadLetterConfig.TargetArn) : undefined,
      roleId: logicalIdOfRef(props.Role),
      logGroupName: props.LoggingConfig?.LogGroup ? String(stack.resolver.resolve(props.LoggingConfig.LogGroup)) : undefined,
      logFormat: props.LoggingConfig?.LogFormat,
      applicationLogLevel: props.LoggingConfig?.ApplicationLogLevel,
    });
  }
  return functions;
}

/** Finds functions by ARN or name, as integrations, mappings, rules and subscriptions name them. */
function functionFinder(resolver: IntrinsicResolver, functions: Map<string, LocalFunction>): FunctionIdOf {
  const idByArn = new Map([...functions.values()].map((fn) => [fn.arn, fn.logicalId]));
  const idByName = new Map([...functions.values()].map((fn) => [fn.name, fn.logicalId]));
  return (value) => {
    const resolved = String(resolver.resolve(value));
    const id = idByArn.get(resolved) ?? idByName.get(resolved);
    if (!id) throw new Error(`Local runtime: ${resolved} is not a function of this app`);
    return id;
  };
}

/** The HTTP API's routes, each to the function its Lambda integration invokes. */
function deriveRoutes(stack: SynthesizedStack, functionIdOf: FunctionIdOf): LocalRoute[] {
  const integrations = new Map(
    stack
      .ofType('AWS::ApiGatewayV2::Integration')
      .map(([id, r]) => [`integrations/${stack.identity(id).ref}`, functionIdOf(r.Properties!.IntegrationUri)]),
  );
  return stack.ofType('AWS::ApiGatewayV2::Route').map(([id, r]) => {
    const functionId = integrations.get(String(stack.resolver.resolve(r.Properties!.Target)));
    if (!functionId) throw new Error(`Route ${id} has no Lambda integration the local runtime knows`);
    return { routeKey: String(r.Properties!.RouteKey), functionId };
  });
}

function deriveQueues(stack: SynthesizedStack): LocalQueue[] {
  return stack.ofType('AWS::SQS::Queue').map(([id, r]) => {
    const props = r.Properties ?? {};
    const identity = stack.identity(id);
    const redrive = props.RedrivePolicy ? stack.resolver.resolve(props.RedrivePolicy) : undefined;
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
}

/** The SQS event source mappings (other kinds of source are not emulated). */
function deriveEventSources(stack: SynthesizedStack, functionIdOf: FunctionIdOf): LocalEventSource[] {
  return stack
    .ofType('AWS::Lambda::EventSourceMapping')
    .map(([, r]) => stack.resolver.resolve(r.Properties) as Record<string, any>)
    .filter((props) => String(props.EventSourceArn).startsWith('arn:aws:sqs:'))
    .map((props) => ({
      queueArn: String(props.EventSourceArn),
      functionId: functionIdOf(props.FunctionName),
      batchSize: props.BatchSize ?? 10,
      maxBatchingWindowSeconds: props.MaximumBatchingWindowInSeconds ?? 0,
      reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      maxConcurrency: props.ScalingConfig?.MaximumConcurrency,
    }));
}

function deriveStateMachines(stack: SynthesizedStack): LocalStateMachine[] {
  return stack.ofType('AWS::StepFunctions::StateMachine').map(([id, r]) => {
    const identity = stack.identity(id);
    const props = r.Properties ?? {};
    const definition = props.DefinitionString
      ? JSON.parse(stack.resolver.resolve(props.DefinitionString))
      : stack.resolver.resolve(props.Definition);
    return { logicalId: id, name: identity.attributes.Name!, arn: identity.ref, definition, roleId: logicalIdOfRef(props.RoleArn) };
  });
}

function deriveTables(stack: SynthesizedStack): LocalTable[] {
  return stack.ofType('AWS::DynamoDB::Table').map(([id, r]) => {
    const props = r.Properties ?? {};
    const ttl = props.TimeToLiveSpecification;
    return {
      logicalId: id,
      name: stack.identity(id).ref,
      definition: {
        KeySchema: props.KeySchema,
        AttributeDefinitions: props.AttributeDefinitions,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
        LocalSecondaryIndexes: props.LocalSecondaryIndexes,
      },
      ttlAttribute: ttl?.Enabled ? String(ttl.AttributeName) : undefined,
    };
  });
}

/** SES receipt rules: the recipients each matches, and its S3 and Lambda actions in order. */
function deriveReceiptRules(stack: SynthesizedStack, functionIdOf: FunctionIdOf): LocalReceiptRule[] {
  return stack.ofType('AWS::SES::ReceiptRule').map(([id, r]) => {
    const rule = r.Properties!.Rule as Record<string, any>;
    const ruleSet = String(stack.resolver.resolve(r.Properties!.RuleSetName));
    const ruleArn = localArn('ses', `receipt-rule-set/${ruleSet}:receipt-rule/${rule.Name ? stack.resolver.resolve(rule.Name) : id}`);
    const actions = (rule.Actions ?? []).map((action: Record<string, any>): LocalReceiptRule['actions'][number] => {
      if (action.S3Action) {
        const s3Action = stack.resolver.resolve(action.S3Action);
        return { type: 's3', bucket: String(s3Action.BucketName), prefix: String(s3Action.ObjectKeyPrefix ?? '') };
      }
      if (action.LambdaAction) {
        return {
          type: 'lambda',
          functionId: functionIdOf(action.LambdaAction.FunctionArn),
          invocationType: String(action.LambdaAction.InvocationType ?? 'Event'),
        };
      }
      throw new Error(`Local runtime cannot emulate receipt action ${Object.keys(action).join(', ')}`);
    });
    return { arn: ruleArn, recipients: (rule.Recipients ?? []).map((x: string) => x.toLowerCase()), actions };
  });
}

/** Enabled EventBridge schedules, one per function target. */
function deriveSchedules(stack: SynthesizedStack, functionIdOf: FunctionIdOf): LocalSchedule[] {
  return stack.ofType('AWS::Events::Rule').flatMap(([id, r]) => {
    const props = r.Properties ?? {};
    if (!props.ScheduleExpression || props.State === 'DISABLED') return [];
    const everyMs = rateMs(String(props.ScheduleExpression));
    return (props.Targets ?? []).map((target: Record<string, unknown>) => {
      const functionId = functionIdOf(target.Arn);
      return {
        ruleId: id,
        expression: String(props.ScheduleExpression),
        everyMs,
        functionId,
        drainsQueue: receivesFromQueues(stack, functionId),
      };
    });
  });
}

/** Whether a function's role is allowed to receive from a queue: a consumer of its own, not through a mapping. */
function receivesFromQueues(stack: SynthesizedStack, functionId: string): boolean {
  const role = logicalIdOfRef(stack.resources.find(([id]) => id === functionId)?.[1].Properties?.Role);
  return stack.ofType('AWS::IAM::Policy').some(([, policy]) => {
    const props = policy.Properties ?? {};
    const attached = (props.Roles ?? []).some((r: unknown) => logicalIdOfRef(r) === role);
    const actions = (props.PolicyDocument?.Statement ?? []).flatMap((s: { Action?: string | string[] }) => [s.Action ?? []].flat());
    return attached && actions.includes('sqs:ReceiveMessage');
  });
}

/** Where SES reports sending events: each configuration set's SNS destination and the functions subscribed to its topic. */
function deriveSesEventDestinations(stack: SynthesizedStack, functionIdOf: FunctionIdOf): LocalSesEventDestination[] {
  const subscriptions = stack
    .ofType('AWS::SNS::Subscription')
    .map(([, r]) => stack.resolver.resolve(r.Properties) as Record<string, any>)
    .filter((props) => props.Protocol === 'lambda')
    .map((props) => ({ topicArn: String(props.TopicArn), functionId: functionIdOf(props.Endpoint) }));
  return stack.ofType('AWS::SES::ConfigurationSetEventDestination').flatMap(([, r]) => {
    const props = stack.resolver.resolve(r.Properties) as Record<string, any>;
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
}

function deriveOutputs(template: Template, resolver: IntrinsicResolver): Record<string, string> {
  return Object.fromEntries(Object.entries(template.Outputs ?? {}).map(([name, output]) => [name, String(resolver.resolve(output.Value))]));
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

/** An ARN in the local account and region. */
function localArn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}

/** The names and attributes a resource has locally: what its `Ref` and `Fn::GetAtt` resolve to. */
function identityOf(id: string, resource: TemplateResource, endpoints: LocalEndpoints): LocalIdentity {
  const awsEndpoint = endpoints.aws;
  switch (resource.Type) {
    case 'AWS::ApiGatewayV2::Api':
      return { ref: id, attributes: { ApiEndpoint: endpoints.api, ApiId: id } };
    case 'AWS::CloudFront::Distribution':
      return { ref: id, attributes: { DomainName: LOCAL_DISTRIBUTION_DOMAIN, Id: id } };
    case 'AWS::DynamoDB::Table': {
      const name = String(resource.Metadata?.[TABLE_METADATA_KEY] ?? id);
      return {
        ref: name,
        attributes: { Arn: localArn('dynamodb', `table/${name}`), StreamArn: localArn('dynamodb', `table/${name}/stream/local`) },
      };
    }
    case 'AWS::SQS::Queue': {
      const url = `${awsEndpoint}/${LOCAL_ACCOUNT}/${id}`;
      return { ref: url, attributes: { Arn: localArn('sqs', id), QueueName: id, QueueUrl: url } };
    }
    case 'AWS::S3::Bucket': {
      const name = id.toLowerCase();
      return { ref: name, attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } };
    }
    case 'AWS::Lambda::Function':
      return { ref: id, attributes: { Arn: localArn('lambda', `function:${id}`) } };
    case 'AWS::StepFunctions::StateMachine': {
      const name = typeof resource.Properties?.StateMachineName === 'string' ? resource.Properties.StateMachineName : id;
      return {
        ref: localArn('states', `stateMachine:${name}`),
        attributes: { Name: name, Arn: localArn('states', `stateMachine:${name}`) },
      };
    }
    case 'AWS::KMS::Key':
      return { ref: id, attributes: { Arn: localArn('kms', `key/${id}`), KeyId: id } };
    case 'AWS::SES::ReceiptRuleSet': {
      // Its name is in the ARN SES names as the source of a rule's writes and invocations (what bucket, key and function policies name).
      const name = typeof resource.Properties?.RuleSetName === 'string' ? resource.Properties.RuleSetName : id;
      return { ref: name, attributes: {} };
    }
    case 'AWS::SES::ConfigurationSet': {
      const name = typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : id;
      return { ref: name, attributes: { Arn: localArn('ses', `configuration-set/${name}`) } };
    }
    case 'AWS::SecretsManager::Secret': {
      // A secret's ARN ends in a dash and six random characters, which grants by name must allow for.
      const arn = localArn('secretsmanager', `secret:${id}-AbCdEf`);
      return { ref: arn, attributes: { Id: arn } };
    }
    case 'AWS::SNS::Topic':
      return { ref: localArn('sns', id), attributes: { TopicArn: localArn('sns', id), TopicName: id } };
    case 'AWS::Events::Rule': {
      // A rule's ARN carries its name (what key and queue policies name it by), generated from its id when none is given.
      const name = typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : id;
      return { ref: name, attributes: { Arn: localArn('events', `rule/${name}`) } };
    }
    case 'AWS::CloudWatch::Alarm': {
      const name = typeof resource.Properties?.AlarmName === 'string' ? resource.Properties.AlarmName : id;
      return { ref: name, attributes: { Arn: localArn('cloudwatch', `alarm:${name}`) } };
    }
    case 'AWS::IAM::Role':
      return { ref: id, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${id}`, RoleId: id } };
    case 'AWS::Logs::LogGroup':
      return { ref: id, attributes: { Arn: localArn('logs', `log-group:${id}:*`) } };
    default:
      return { ref: id, attributes: new Proxy({}, { get: (_t, attribute) => `${id}.${String(attribute)}` }) };
  }
}

/** The files a function's bundle reads from beside it, as its template metadata lists them. */
function besideBundleOf(id: string, listed: unknown): string[] {
  if (listed === undefined) return [];
  if (!Array.isArray(listed) || listed.some((file) => typeof file !== 'string'))
    throw new Error(`Function ${id}: ${BESIDE_BUNDLE_METADATA_KEY} metadata is not a list of files`);
  return listed as string[];
}
