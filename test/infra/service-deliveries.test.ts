import { deriveModel, type LocalModel } from '../../local/assembly';
import { type IamRequest, LocalIam } from '../../local/iam';
import { LOCAL_ACCOUNT, type Template } from '../../local/intrinsics';
import { synth } from '../helpers/synth';

/** One thing an AWS service (or Lambda, with a function's role) does on the stack's behalf, as the template wires it. */
interface Delivery {
  what: string;
  /** A service principal, or the logical id of the role the service uses. */
  caller: string;
  requests: IamRequest[];
}

const ENDPOINTS = { aws: 'http://127.0.0.1:4566', api: 'http://localhost:3000' };

const STAGES: [string, Record<string, unknown>][] = [
  ['dev', {}],
  ['prod, with an alarm address', { stage: 'prod', alarmEmail: 'ops@omnapi.com' }],
];

/** A stage's template, its local model and the IAM evaluator the local runtime enforces. */
function evaluated(context: Record<string, unknown>) {
  const template = synth(context).template.toJSON() as Template;
  const model = deriveModel(template, ENDPOINTS);
  return { template, model, iam: new LocalIam(template, model.resolver, 'enforce') };
}

/**
 * Every delivery the template declares, whichever construct made it: alarm actions to SNS topics,
 * SNS subscriptions' and EventBridge targets' dead-letter queues, functions' asynchronous dead-letter
 * queues, SES configuration sets' SNS destinations. Each needs the target's resource policy and the
 * KMS key that encrypts the target to let the caller in.
 */
function deliveries(template: Template, model: LocalModel, iam: LocalIam): Record<string, Delivery[]> {
  const resolve = (value: unknown) => model.resolver.resolve(value) as string;
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const as = (sourceArn: string) => ({ 'aws:SourceArn': sourceArn, 'aws:SourceAccount': LOCAL_ACCOUNT });
  const publish = (topicArn: string, context: Record<string, string>): IamRequest[] => [
    { action: 'sns:Publish', resource: topicArn, context },
    ...iam.kmsRequests(topicArn, ['kms:GenerateDataKey', 'kms:Decrypt'], context),
  ];
  const send = (queueArn: string, context?: Record<string, string>): IamRequest[] => [
    { action: 'sqs:SendMessage', resource: queueArn, context },
    ...iam.kmsRequests(queueArn, ['kms:GenerateDataKey', 'kms:Decrypt'], context),
  ];
  return {
    'alarm actions (CloudWatch publishing to the topic)': ofType('AWS::CloudWatch::Alarm').flatMap(([id, alarm]) => {
      const alarmArn = resolve({ 'Fn::GetAtt': [id, 'Arn'] });
      return (alarm.Properties?.AlarmActions ?? [])
        .map(resolve)
        .filter((arn: string) => arn.startsWith('arn:aws:sns:'))
        .map((topicArn: string) => ({
          what: `${id} → ${topicArn}`,
          caller: 'cloudwatch.amazonaws.com',
          requests: publish(topicArn, as(alarmArn)),
        }));
    }),
    "SNS subscriptions' dead-letter queues": ofType('AWS::SNS::Subscription')
      .filter(([, s]) => s.Properties?.RedrivePolicy)
      .map(([id, s]) => {
        const topicArn = resolve(s.Properties!.TopicArn);
        const queueArn = resolve(s.Properties!.RedrivePolicy.deadLetterTargetArn);
        return { what: `${id} → ${queueArn}`, caller: 'sns.amazonaws.com', requests: send(queueArn, as(topicArn)) };
      }),
    "EventBridge targets' dead-letter queues": ofType('AWS::Events::Rule').flatMap(([id, rule]) =>
      (rule.Properties?.Targets ?? [])
        .filter((target: Record<string, any>) => target.DeadLetterConfig)
        .map((target: Record<string, any>) => {
          const queueArn = resolve(target.DeadLetterConfig.Arn);
          return {
            what: `${id} → ${queueArn}`,
            caller: 'events.amazonaws.com',
            requests: send(queueArn, as(resolve({ 'Fn::GetAtt': [id, 'Arn'] }))),
          };
        }),
    ),
    "functions' asynchronous dead-letter queues (Lambda, with the function's role)": [...model.functions.values()]
      .filter((fn) => fn.deadLetterArn)
      .map((fn) => ({ what: `${fn.logicalId} → ${fn.deadLetterArn}`, caller: fn.roleId!, requests: send(fn.deadLetterArn!) })),
    "SES configuration sets' event destinations": model.sesEventDestinations.map((destination) => {
      const configurationSetArn = `arn:aws:ses:us-east-1:${LOCAL_ACCOUNT}:configuration-set/${destination.configurationSet}`;
      return {
        what: `${destination.configurationSet} → ${destination.topicArn}`,
        caller: 'ses.amazonaws.com',
        requests: publish(destination.topicArn, as(configurationSetArn)),
      };
    }),
  };
}

/**
 * What services do on the stack's behalf and no local run exercises — an alarm firing, SNS or EventBridge
 * parking a message it could not deliver — checked against the template's resource and key policies with
 * the evaluator the local runtime enforces. Deployed, each of these fails silently: an alarm that
 * cannot publish shows "Failed to execute action" in its history and mails no one.
 */
describe.each(STAGES)('deliveries by AWS services (%s)', (_stage, context) => {
  const { template, model, iam } = evaluated(context);
  const byKind = deliveries(template, model, iam);

  it.each(Object.keys(byKind))('%s are allowed by the target and its key', async (kind) => {
    const paths = byKind[kind]!;
    expect(paths.length).toBeGreaterThan(0);
    const refused: string[] = [];
    for (const path of paths) {
      await iam.authorize(path.caller, path.requests).catch((error: Error) => refused.push(`${path.what}: ${error.message}`));
    }
    expect(refused).toEqual([]);
  });
});

/**
 * What only a deployed stage reads: the Secrets Manager secrets (Stripe's keys, the pseudonym and
 * unsubscribe-link key sets, the edge's origin secret). The local runtime is given these values in the
 * template instead, so no local run ever reads a secret: each `*_SECRET_ARN` a function is given must come
 * with a grant to read that secret and to decrypt it through Secrets Manager with the key that encrypts it.
 */
describe('secrets a deployed stage reads', () => {
  const template = synth({
    stage: 'prod',
    originSecretName: 'omnapi/prod/origin',
    publicUrl: 'https://api.omnapi.com',
  }).template.toJSON() as Template;
  const model = deriveModel(template, ENDPOINTS);
  const iam = new LocalIam(template, model.resolver, 'enforce');

  it('every secret a function is given, its role may read and decrypt', async () => {
    const reads = [...model.functions.values()].flatMap((fn) =>
      Object.entries(fn.environment)
        .filter(([name]) => name.endsWith('_SECRET_ARN'))
        .map(([name, arn]) => {
          // A secret named rather than created is given by a partial ARN; Secrets Manager resolves it to the full one.
          const secretArn = /-[A-Za-z0-9]{6}$/.test(arn) ? arn : `${arn}-AbCdEf`;
          return {
            what: `${fn.logicalId} ${name}`,
            caller: fn.roleId!,
            requests: [{ action: 'secretsmanager:GetSecretValue', resource: secretArn }, ...iam.kmsRequests(secretArn, ['kms:Decrypt'])],
          };
        }),
    );
    expect(new Set(reads.map((r) => r.what.split(' ')[1]))).toEqual(
      new Set(['STRIPE_SECRET_ARN', 'PSEUDONYM_KEYS_SECRET_ARN', 'NOTICE_LINK_KEYS_SECRET_ARN', 'ORIGIN_SECRET_ARN']),
    );
    const refused: string[] = [];
    for (const read of reads)
      await iam.authorize(read.caller, read.requests).catch((error: Error) => refused.push(`${read.what}: ${error.message}`));
    expect(refused).toEqual([]);
  });
});

/**
 * SES receiving, as each receipt rule acts: it writes the raw message under its prefix (with the bucket's
 * key) and invokes its function, naming the rule as the source. The bucket policy, the key and the function's
 * permission must let that rule in, and no other rule of the account: SES checks the write when the rule is
 * created, and a rule anyone adds to the account later must not be able to drop mail into our bucket or invoke
 * our function with an event of its making.
 */
describe.each(STAGES)('SES receiving (%s)', (_stage, context) => {
  const { template, model, iam } = evaluated(context);
  const otherRule = `arn:aws:ses:us-east-1:${LOCAL_ACCOUNT}:receipt-rule-set/someone-elses:receipt-rule/catch-all`;
  /** What a rule's actions ask of IAM when SES runs them naming `sourceArn` as the rule. */
  const actionsOf = (rule: (typeof model.receiptRules)[number], sourceArn: string) =>
    rule.actions.map((action) => {
      const source = { 'aws:SourceAccount': LOCAL_ACCOUNT, 'aws:SourceArn': sourceArn };
      if (action.type === 's3') {
        const objectArn = `arn:aws:s3:::${action.bucket}/${action.prefix}0a1b2c3d4e5f`;
        return {
          what: `${sourceArn} writes ${objectArn}`,
          requests: [
            { action: 's3:PutObject', resource: objectArn, context: { ...source, 's3:TlsVersion': '1.3' } },
            ...iam.kmsRequests(objectArn, ['kms:GenerateDataKey', 'kms:Decrypt'], source),
          ],
        };
      }
      const functionArn = model.functions.get(action.functionId)!.arn;
      return {
        what: `${sourceArn} invokes ${functionArn}`,
        requests: [{ action: 'lambda:InvokeFunction', resource: functionArn, context: source }],
      };
    });

  it('every receipt rule is named (its ARN is what the policies name) and may write its mail and invoke its function', async () => {
    expect(model.receiptRules.length).toBeGreaterThan(0);
    for (const rule of model.receiptRules) expect(rule.arn).toMatch(/receipt-rule-set\/[^:]+-inbound:receipt-rule\/[^:]+-mailboxes$/);
    // SES writes a setup object and checks its invocation right when the rule is made: the rule waits for both policies.
    for (const [id, rule] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SES::ReceiptRule')) {
      const dependsOn = [(rule as { DependsOn?: string[] }).DependsOn ?? []].flat();
      const types = dependsOn.map((dependency) => template.Resources[dependency]?.Type);
      expect({ id, types }).toEqual({ id, types: expect.arrayContaining(['AWS::S3::BucketPolicy', 'AWS::Lambda::Permission']) });
    }
    const refused: string[] = [];
    for (const rule of model.receiptRules)
      for (const action of actionsOf(rule, rule.arn!))
        await iam.authorize('ses.amazonaws.com', action.requests).catch((error: Error) => refused.push(`${action.what}: ${error.message}`));
    expect(refused).toEqual([]);
  });

  it('another receipt rule of the same account may neither write into the bucket, nor use the key for it, nor invoke the function', async () => {
    const actions = model.receiptRules.flatMap((rule) => actionsOf(rule, otherRule));
    expect(actions.length).toBeGreaterThanOrEqual(2);
    const allowed: string[] = [];
    for (const action of actions)
      for (const request of action.requests)
        await iam.authorize('ses.amazonaws.com', [request]).then(
          () => allowed.push(`${request.action} on ${request.resource}`),
          () => undefined,
        );
    expect(allowed).toEqual([]);
  });
});
