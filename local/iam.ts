import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { logicalIdOfRef } from './assembly';
import { type IntrinsicResolver, LOCAL_ACCOUNT, LOCAL_REGION, type Template } from './intrinsics';

/** `enforce` refuses what AWS would refuse; `soft` logs it and lets it through; `off` checks nothing. */
export type IamMode = 'enforce' | 'soft' | 'off';

/** LOCAL_IAM: unset or `on`/`enforce` → enforce, `soft`, `off`. Anything else fails loudly. */
export function iamModeOf(value: string | undefined): IamMode {
  const mode = (value ?? '').trim().toLowerCase();
  if (mode === '' || mode === 'on' || mode === 'enforce') return 'enforce';
  if (mode === 'soft' || mode === 'off') return mode;
  throw new Error(`LOCAL_IAM must be on, soft or off (was ${value})`);
}

/** One request to authorize: an IAM action on one resource ARN, with the condition keys AWS would set. */
export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

/** What AWS answers when a call is refused; each endpoint renders it in its protocol's shape. */
export class AccessDeniedError extends Error {
  constructor(
    readonly action: string,
    readonly resource: string,
    readonly principalArn: string,
    /** `no identity-based policy allows …`, as AWS words it. */
    readonly reason: string,
  ) {
    super(`User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because ${reason}`);
    this.name = 'AccessDeniedException';
  }
}

interface Policy {
  name: string;
  policy: { Version?: string; Statement: Statement[] };
}
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A role of the template, as a caller: its ARN, its identity policies, and the function it runs as. */
export interface LocalRole {
  logicalId: string;
  arn: string;
  policies: Policy[];
}

/** One evaluated call, kept for `npm run iam:unused`. */
export interface IamRecord {
  principal: string;
  action: string;
  resource: string;
  allowed: boolean;
  reason?: string;
}

/** Service principals the runtime plays (API Gateway, SES, EventBridge): resource policies decide for them. */
export function isServicePrincipal(principal: string): boolean {
  return principal.endsWith('.amazonaws.com');
}

const KMS_VIA = (service: string) => `${service}.${LOCAL_REGION}.amazonaws.com`;

/**
 * IAM for the local endpoints, read from the synthesized template: each role's identity policies, and
 * the resource policies of buckets, queues, the KMS key and functions (their Lambda permissions). Each
 * request is evaluated by @cloud-copilot/iam-simulate, an evaluator of AWS's policy semantics (explicit
 * deny, resource policies, KMS key policies that must delegate to the account); decisions are cached,
 * as policies do not change while the runtime runs. A caller whose access key names no role (the AWS
 * CLI, tests, ops scripts) is an administrator and is not checked.
 */
export class LocalIam {
  readonly roles = new Map<string, LocalRole>();
  private readonly resourcePolicies = new Map<string, Policy>();
  private readonly functionPolicies = new Map<string, Statement[]>();
  /** The session name in a role's assumed-role ARN: the function (or state machine) that uses it. */
  private readonly sessionNames = new Map<string, string>();
  /** Resource ARN prefix → the KMS key that encrypts it. */
  private readonly keys: { prefix: string; keyArn: string; service: string }[] = [];
  private readonly decisions = new Map<string, Promise<{ allowed: boolean; reason?: string; denyingStatement?: string }>>();
  /** Every distinct decision: principal, action, resource → allowed; read by `npm run iam:unused`. */
  readonly records = new Map<string, IamRecord>();
  /** How many checks ran and their total time (ms), for the benchmark. */
  readonly timing = { checks: 0, totalMs: 0 };

  constructor(
    template: Template,
    resolver: IntrinsicResolver,
    readonly mode: IamMode,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    const resources = Object.entries(template.Resources);
    for (const [id, r] of resources) {
      if (r.Type !== 'AWS::IAM::Role') continue;
      const inline = ((r.Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]).map((p) => ({
        name: `${id}/${p.PolicyName}`,
        policy: resolver.resolve(p.PolicyDocument),
      }));
      if ((r.Properties?.ManagedPolicyArns ?? []).length)
        this.log(`iam: ${id} has managed policies the local runtime cannot read; only its inline policies count`);
      this.roles.set(id, { logicalId: id, arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${id}`, policies: inline });
    }
    for (const [id, r] of resources) {
      const props = r.Properties ?? {};
      switch (r.Type) {
        case 'AWS::Lambda::Function':
        case 'AWS::StepFunctions::StateMachine': {
          const roleId = logicalIdOfRef(props.Role ?? props.RoleArn);
          if (roleId) this.sessionNames.set(roleId, id);
          break;
        }
        case 'AWS::IAM::Policy':
          for (const role of props.Roles ?? [])
            this.roles.get(logicalIdOfRef(role) ?? '')?.policies.push({ name: id, policy: resolver.resolve(props.PolicyDocument) });
          break;
        case 'AWS::S3::BucketPolicy':
          this.resourcePolicies.set(`arn:aws:s3:::${resolver.resolve(props.Bucket)}`, {
            name: id,
            policy: resolver.resolve(props.PolicyDocument),
          });
          break;
        case 'AWS::SQS::QueuePolicy':
          for (const queue of props.Queues ?? []) {
            const queueId = logicalIdOfRef(queue);
            if (queueId)
              this.resourcePolicies.set(resolver.resolve({ 'Fn::GetAtt': [queueId, 'Arn'] }), {
                name: id,
                policy: resolver.resolve(props.PolicyDocument),
              });
          }
          break;
        case 'AWS::SNS::TopicPolicy':
          for (const topic of props.Topics ?? [])
            this.resourcePolicies.set(resolver.resolve(topic), { name: id, policy: resolver.resolve(props.PolicyDocument) });
          break;
        case 'AWS::SNS::Topic':
          if (props.KmsMasterKeyId)
            this.keys.push({ prefix: resolver.resolve({ Ref: id }), keyArn: resolver.resolve(props.KmsMasterKeyId), service: 'sns' });
          break;
        case 'AWS::SecretsManager::Secret':
          if (props.KmsKeyId)
            this.keys.push({ prefix: resolver.resolve({ Ref: id }), keyArn: resolver.resolve(props.KmsKeyId), service: 'secretsmanager' });
          break;
        case 'AWS::KMS::Key':
          this.resourcePolicies.set(resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] }), {
            name: id,
            policy: resolver.resolve(props.KeyPolicy),
          });
          break;
        case 'AWS::Lambda::Permission': {
          const resolved = resolver.resolve(props) as Record<string, string>;
          const functionArn = resolved.FunctionName!.startsWith('arn:')
            ? resolved.FunctionName!
            : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${resolved.FunctionName}`;
          const principal = resolved.Principal!;
          const condition: Statement['Condition'] = {};
          if (resolved.SourceArn) condition.ArnLike = { 'aws:SourceArn': resolved.SourceArn };
          if (resolved.SourceAccount) condition.StringEquals = { 'aws:SourceAccount': resolved.SourceAccount };
          const statement: Statement = {
            Sid: id,
            Effect: 'Allow',
            Principal: isServicePrincipal(principal) ? { Service: principal } : { AWS: principal },
            Action: resolved.Action,
            Resource: functionArn,
            ...(Object.keys(condition).length ? { Condition: condition } : {}),
          };
          this.functionPolicies.set(functionArn, [...(this.functionPolicies.get(functionArn) ?? []), statement]);
          break;
        }
        case 'AWS::DynamoDB::Table':
          if (props.SSESpecification?.KMSMasterKeyId)
            this.keys.push({
              prefix: `${resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] })}`,
              keyArn: resolver.resolve(props.SSESpecification.KMSMasterKeyId),
              service: 'dynamodb',
            });
          break;
        case 'AWS::SQS::Queue':
          if (props.KmsMasterKeyId)
            this.keys.push({
              prefix: resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] }),
              keyArn: resolver.resolve(props.KmsMasterKeyId),
              service: 'sqs',
            });
          break;
        case 'AWS::S3::Bucket': {
          const sse = props.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault;
          if (sse?.SSEAlgorithm === 'aws:kms' && sse.KMSMasterKeyID)
            this.keys.push({
              prefix: `${resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] })}/`,
              keyArn: resolver.resolve(sse.KMSMasterKeyID),
              service: 's3',
            });
          break;
        }
        default:
      }
    }
    for (const [functionArn, statements] of this.functionPolicies)
      this.resourcePolicies.set(functionArn, { name: 'LambdaPermissions', policy: { Version: '2012-10-17', Statement: statements } });
  }

  /** The role an access key names, or undefined for an administrator's key. */
  roleOf(accessKeyId: string | undefined): LocalRole | undefined {
    return accessKeyId ? this.roles.get(accessKeyId) : undefined;
  }

  /** The KMS key encrypting a resource (table, queue, bucket object), with the service that uses it. */
  keyOf(resourceArn: string): { keyArn: string; via: string } | undefined {
    const found = this.keys.find(
      (k) => resourceArn === k.prefix || resourceArn.startsWith(k.prefix.endsWith('/') ? k.prefix : `${k.prefix}/`),
    );
    return found ? { keyArn: found.keyArn, via: KMS_VIA(found.service) } : undefined;
  }

  /** The implicit KMS requests of a call on an encrypted resource, made with the caller's permissions. */
  kmsRequests(resourceArn: string, actions: string[], extra: Record<string, string> = {}): IamRequest[] {
    const key = this.keyOf(resourceArn);
    if (!key) return [];
    return actions.map((action) => ({
      action,
      resource: key.keyArn,
      context: { 'kms:ViaService': key.via, 'kms:CallerAccount': LOCAL_ACCOUNT, ...extra },
    }));
  }

  /**
   * Authorizes each request for a caller (an access key id or a service principal). Resolves when all
   * are allowed (or the mode lets them through); otherwise rejects with the first AccessDeniedError.
   */
  async authorize(caller: string | undefined, requests: IamRequest[]): Promise<void> {
    if (this.mode === 'off' || !caller || requests.length === 0) return;
    const role = this.roleOf(caller);
    const service = isServicePrincipal(caller);
    if (!role && !service) return;
    const started = performance.now();
    try {
      for (const request of requests) {
        const decision = await this.decide(caller, role, request);
        if (decision.allowed) continue;
        const principalArn = role
          ? `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${role.logicalId}/${this.sessionNames.get(role.logicalId) ?? role.logicalId}`
          : caller;
        const error = new AccessDeniedError(request.action, request.resource, principalArn, decision.reason!);
        this.log(
          `iam ${this.mode === 'soft' ? 'would deny (LOCAL_IAM=soft)' : 'DENIED'}: ${role?.logicalId ?? caller} ${request.action} on ${request.resource} — ${decision.reason}; ` +
            (decision.denyingStatement
              ? `denied by ${decision.denyingStatement}`
              : `missing statement: ${JSON.stringify(missingStatement(role, request, this.resourcePolicies.get(this.policyKeyOf(request.resource))?.name))}`),
        );
        if (this.mode === 'enforce') throw error;
      }
    } finally {
      this.timing.checks += 1;
      this.timing.totalMs += performance.now() - started;
    }
  }

  private policyKeyOf(resource: string): string {
    if (resource.startsWith('arn:aws:s3:::')) return resource.split('/')[0]!;
    return resource;
  }

  private decide(caller: string, role: LocalRole | undefined, request: IamRequest) {
    const context: Record<string, string> = {
      'aws:SecureTransport': 'true',
      ...(role ? { 'aws:PrincipalAccount': LOCAL_ACCOUNT, 'aws:PrincipalArn': role.arn } : {}),
      ...request.context,
    };
    const cacheKey = `${caller}|${request.action}|${request.resource}|${JSON.stringify(context)}`;
    let decision = this.decisions.get(cacheKey);
    if (!decision) {
      decision = this.simulate(caller, role, request, context).then((result) => {
        this.records.set(`${caller} ${request.action} ${request.resource}`, {
          principal: role?.logicalId ?? caller,
          action: request.action,
          resource: request.resource,
          allowed: result.allowed,
          reason: result.reason,
        });
        return result;
      });
      this.decisions.set(cacheKey, decision);
    }
    return decision;
  }

  private async simulate(caller: string, role: LocalRole | undefined, request: IamRequest, context: Record<string, string>) {
    const resourcePolicy = this.resourcePolicies.get(this.policyKeyOf(request.resource));
    const simulation: Simulation = {
      request: {
        principal: role ? role.arn : caller,
        action: request.action,
        resource: { resource: request.resource, accountId: LOCAL_ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: role?.policies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resourcePolicy?.policy,
    };
    const result = await runSimulation(simulation, { simulationMode: 'Strict' });
    if (result.resultType === 'error' && result.errors.message === 'must.use.wildcard') {
      // The reference lists some actions (states:SendTaskSuccess/Failure) as wildcard-only, yet AWS
      // evaluates them against the resource the call concerns (its denials name the state machine):
      // evaluate them as AWS does, on that resource.
      const unsafe = runUnsafeSimulation(simulation, { simulationMode: 'Strict' });
      return unsafe === 'Allowed'
        ? { allowed: true }
        : { allowed: false, reason: `no identity-based policy allows the ${request.action} action` };
    }
    if (result.resultType === 'error') {
      return { allowed: false, reason: `the local policy evaluator could not evaluate the request (${JSON.stringify(result.errors)})` };
    }
    if (result.overallResult === 'Allowed') return { allowed: true };
    const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
    const identity = analysis?.identityAnalysis;
    const resource = analysis?.resourceAnalysis;
    if (result.overallResult === 'ExplicitlyDenied') {
      const denying = [...(identity?.denyStatements ?? []), ...(resource?.denyStatements ?? [])][0] as unknown as
        | { policyId?: string; statement?: Statement }
        | undefined;
      const where = resource?.denyStatements?.length ? 'a resource-based policy' : 'an identity-based policy';
      return {
        allowed: false,
        reason: `of an explicit deny in ${where}`,
        denyingStatement: `${denying?.policyId ?? '?'} ${JSON.stringify(denying?.statement ?? {})}`,
      };
    }
    if (request.action.startsWith('kms:') && identity?.result === 'Allowed') {
      return {
        allowed: false,
        reason: `the key policy of ${request.resource} neither allows ${request.action} nor delegates it to the account's IAM policies`,
      };
    }
    if (!role) return { allowed: false, reason: `no resource-based policy allows the ${request.action} action` };
    return { allowed: false, reason: `no identity-based policy allows the ${request.action} action` };
  }
}

/** The statement that would have allowed a refused request: what the log shows a developer to add. */
function missingStatement(role: LocalRole | undefined, request: IamRequest, resourcePolicyName?: string): Record<string, unknown> {
  return role
    ? { in: `the policies of ${role.logicalId}`, Effect: 'Allow', Action: request.action, Resource: request.resource }
    : {
        in: resourcePolicyName ?? `a resource policy of ${request.resource}`,
        Effect: 'Allow',
        Action: request.action,
        Resource: request.resource,
      };
}

/** The access key id a SigV4 request is signed with: from its Authorization header or a presigned URL. */
export function accessKeyOf(headers: Record<string, string | string[] | undefined>, url = ''): string | undefined {
  const authorization = String(headers.authorization ?? '');
  const fromHeader = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
  if (fromHeader) return fromHeader;
  const query = url.includes('?') ? new URLSearchParams(url.slice(url.indexOf('?') + 1)) : undefined;
  return query?.get('X-Amz-Credential')?.split('/')[0] ?? undefined;
}
