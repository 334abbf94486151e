import { CfnResource, type Stack } from 'aws-cdk-lib';

/**
 * Limits the services enforce when CloudFormation creates a resource, which `cdk synth` never checks:
 * a template that breaks one synthesizes, passes cdk-nag and every local test, and fails at deploy
 * (or, for a value that grows with a stage's settings, at the first deploy of that stage).
 */

/** Lambda: all of a function's environment variables, names and values, together. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** IAM: the inline policies of one role, together (characters, whitespace aside). */
export const IAM_ROLE_INLINE_POLICY_LIMIT = 10_240;

/** What a value's references are measured against: the stack's name and the type of each resource it names. */
export interface TemplateShape {
  stackName: string;
  typeOf(logicalId: string): string | undefined;
}

/** The longest each pseudo parameter is in any partition and region (aws-us-gov, ap-southeast-5, amazonaws.com.cn). */
const PSEUDO_LENGTHS: Record<string, number> = {
  'AWS::Partition': 10,
  'AWS::Region': 14,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 16,
  'AWS::NoValue': 0,
};

/** The longest name each service allows; names CloudFormation generates are shorter still. */
const NAME_LIMITS: Record<string, number> = {
  'AWS::DynamoDB::Table': 255,
  'AWS::S3::Bucket': 63,
  'AWS::SQS::Queue': 80,
  'AWS::SNS::Topic': 256,
  'AWS::Lambda::Function': 64,
  'AWS::IAM::Role': 64,
  'AWS::Events::Rule': 64,
  'AWS::StepFunctions::StateMachine': 80,
  'AWS::SecretsManager::Secret': 512,
  'AWS::Logs::LogGroup': 512,
};

/** How an ARN of each type names its resource, after `arn:<partition>:<service>:<region>:<account>:`. */
const ARN_RESOURCE_PREFIX: Record<string, string> = {
  'AWS::DynamoDB::Table': 'table/',
  'AWS::Lambda::Function': 'function:',
  'AWS::IAM::Role': 'role/',
  'AWS::Events::Rule': 'rule/',
  'AWS::StepFunctions::StateMachine': 'stateMachine:',
  'AWS::SecretsManager::Secret': 'secret:',
  'AWS::Logs::LogGroup': 'log-group:',
};

/** `arn:<partition>:<service>:<region>:<account>:` at its longest, with a service name of up to 20 characters. */
const ARN_PREFIX = 'arn:'.length + PSEUDO_LENGTHS['AWS::Partition']! + 1 + 20 + 1 + PSEUDO_LENGTHS['AWS::Region']! + 1 + 12 + 1;
/** What an unknown reference may resolve to. */
const UNKNOWN = 256;

/**
 * The most characters a CloudFormation value can resolve to: literals as written (UTF-8 bytes), pseudo
 * parameters and references at their longest in any partition and region. A generated name is the
 * stack name, the logical id and a 13-character suffix, within the service's limit.
 */
export function worstCaseLength(value: unknown, shape: TemplateShape): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value !== 'object') return String(value).length;
  const length = intrinsicLength(value as Record<string, unknown>, shape);
  // A document (a policy, a JSON setting): as JSON, each reference in it at its longest.
  return length ?? Buffer.byteLength(JSON.stringify(atWorstCase(value, shape)));
}

/** The value with each intrinsic replaced by a string as long as it can resolve to. */
function atWorstCase(value: unknown, shape: TemplateShape): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => atWorstCase(item, shape));
  const length = intrinsicLength(value as Record<string, unknown>, shape);
  if (length !== undefined) return 'x'.repeat(length);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, atWorstCase(item, shape)]));
}

/** An intrinsic function's longest result, or undefined when the object is not one. */
function intrinsicLength(value: Record<string, unknown>, shape: TemplateShape): number | undefined {
  const entries = Object.entries(value);
  const [fn, arg] = entries[0] ?? [];
  if (entries.length !== 1 || !(fn === 'Ref' || fn?.startsWith('Fn::'))) return undefined;
  switch (fn) {
    case 'Ref':
      return refLength(String(arg), shape);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return attributeLength(id!, attribute!, shape);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.reduce((sum: number, part) => sum + worstCaseLength(part, shape), 0) + separator.length * Math.max(0, parts.length - 1);
    }
    case 'Fn::Sub': {
      const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
      return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
        const length =
          name in variables
            ? worstCaseLength(variables[name], shape)
            : name.includes('.')
              ? attributeLength(name.split('.')[0]!, name.split('.')[1]!, shape)
              : refLength(name, shape);
        return 'x'.repeat(length);
      }).length;
    }
    default:
      return UNKNOWN;
  }
}

function generatedNameLength(logicalId: string, shape: TemplateShape): number {
  const limit = NAME_LIMITS[shape.typeOf(logicalId) ?? ''] ?? UNKNOWN;
  return Math.min(limit, shape.stackName.length + 1 + logicalId.length + 1 + 13);
}

function refLength(id: string, shape: TemplateShape): number {
  if (id in PSEUDO_LENGTHS) return PSEUDO_LENGTHS[id]!;
  if (id === 'AWS::StackName') return shape.stackName.length;
  const name = generatedNameLength(id, shape);
  switch (shape.typeOf(id)) {
    case 'AWS::SQS::Queue':
      // https://sqs.<region>.<suffix>/<account>/<name>
      return 'https://sqs.'.length + PSEUDO_LENGTHS['AWS::Region']! + 1 + PSEUDO_LENGTHS['AWS::URLSuffix']! + 1 + 12 + 1 + name;
    case 'AWS::SNS::Topic':
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::SecretsManager::Secret':
      // These Refs are ARNs; a secret's ends in a dash and six random characters.
      return ARN_PREFIX + (ARN_RESOURCE_PREFIX[shape.typeOf(id)!] ?? '').length + name + 7;
    default:
      return shape.typeOf(id) ? name : UNKNOWN;
  }
}

function attributeLength(id: string, attribute: string, shape: TemplateShape): number {
  const type = shape.typeOf(id);
  const name = generatedNameLength(id, shape);
  switch (attribute) {
    case 'Arn':
      return ARN_PREFIX + (ARN_RESOURCE_PREFIX[type ?? ''] ?? '').length + name + (type === 'AWS::Logs::LogGroup' ? 2 : 0);
    case 'DomainName':
      // d<13 characters>.cloudfront.net, or <bucket>.s3.<suffix>
      return type === 'AWS::CloudFront::Distribution' ? 30 : name + '.s3.'.length + PSEUDO_LENGTHS['AWS::URLSuffix']!;
    case 'ApiEndpoint':
      return 'https://'.length + 10 + '.execute-api.'.length + PSEUDO_LENGTHS['AWS::Region']! + 1 + PSEUDO_LENGTHS['AWS::URLSuffix']!;
    case 'QueueName':
    case 'TopicName':
      return name;
    case 'QueueUrl':
      return refLength(id, shape);
    default:
      return UNKNOWN;
  }
}

/** The shape of a synthesized template: every resource's type by logical id. */
export function templateShape(template: { Resources: Record<string, { Type: string }> }, stackName: string): TemplateShape {
  return { stackName, typeOf: (id) => template.Resources[id]?.Type };
}

const shapes = new WeakMap<Stack, { constructs: number; shape: TemplateShape }>();

/**
 * The shape of a stack being synthesized, for validations that run before there is a template. Every
 * function's validation asks for it: it is worked out once per synthesis (again only if constructs were added).
 */
export function stackShape(stack: Stack): TemplateShape {
  const constructs = stack.node.findAll();
  const known = shapes.get(stack);
  if (known?.constructs === constructs.length) return known.shape;
  const types = new Map<string, string>();
  for (const construct of constructs)
    if (CfnResource.isCfnResource(construct)) types.set(stack.resolve(construct.logicalId) as string, construct.cfnResourceType);
  const shape: TemplateShape = { stackName: stack.stackName, typeOf: (id) => types.get(id) };
  shapes.set(stack, { constructs: constructs.length, shape });
  return shape;
}

/**
 * What CloudFormation would refuse in a function's environment that CDK lets through (it refuses the
 * runtime's reserved names itself): malformed names, and more than 4 KB at its longest.
 */
export function environmentProblems(variables: Record<string, unknown>, shape: TemplateShape): string[] {
  const problems = Object.keys(variables)
    .filter((name) => !/^[a-zA-Z][a-zA-Z0-9_]+$/.test(name))
    .map((name) => `"${name}" is not a valid variable name (Lambda takes [a-zA-Z][a-zA-Z0-9_]+)`);
  const sizes = Object.entries(variables).map(([name, value]) => ({ name, bytes: name.length + worstCaseLength(value, shape) }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (total > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    const largest = [...sizes]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 3)
      .map((s) => `${s.name} ${s.bytes} B`);
    problems.push(
      `the environment can reach ${total} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} (largest: ${largest.join(', ')}): CloudFormation would refuse the function`,
    );
  }
  return problems;
}
