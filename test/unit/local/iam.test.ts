import { dynamoRequests } from '../../../local/dynamodb-proxy';
import { AccessDeniedError, accessKeyOf, iamModeOf, type IamMode, LocalIam } from '../../../local/iam';
import { IntrinsicResolver, type LocalIdentity, type Template } from '../../../local/intrinsics';

const ACCOUNT = '000000000000';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/usage-logs`;
const OTHER_TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ledger`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/DataKey`;
const OTHER_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/LockedKey`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:Worker`;
const BUCKET = 'mail';
const ROOT = { AWS: `arn:aws:iam::${ACCOUNT}:root` };

/** A template as the CDK writes one: a role with a policy, an encrypted table, a key policy, a bucket policy, a Lambda permission. */
function template(workerStatements: unknown[]): Template {
  return {
    Resources: {
      WorkerRole: { Type: 'AWS::IAM::Role', Properties: {} },
      WorkerPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'WorkerRole' }], PolicyDocument: { Version: '2012-10-17', Statement: workerStatements } },
      },
      Worker: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['WorkerRole', 'Arn'] } } },
      DataKey: {
        Type: 'AWS::KMS::Key',
        Properties: {
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: ROOT, Action: 'kms:*', Resource: '*' },
              {
                Effect: 'Allow',
                Principal: { Service: 'ses.amazonaws.com' },
                Action: ['kms:Encrypt', 'kms:GenerateDataKey*'],
                Resource: '*',
                Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
              },
            ],
          },
        },
      },
      // A key whose policy does not delegate to the account: IAM policies alone cannot open it.
      LockedKey: {
        Type: 'AWS::KMS::Key',
        Properties: {
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` }, Action: 'kms:*', Resource: '*' }],
          },
        },
      },
      UsageLogs: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] } } },
      },
      Ledger: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': ['LockedKey', 'Arn'] } } },
      },
      Mail: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey', 'Arn'] } } },
            ],
          },
        },
      },
      MailPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'Mail' },
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 's3:*',
                Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
              { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/held/*` },
              {
                Effect: 'Allow',
                Principal: { Service: 'ses.amazonaws.com' },
                Action: 's3:PutObject',
                Resource: `arn:aws:s3:::${BUCKET}/inbound/*`,
                Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
              },
            ],
          },
        },
      },
      InvokeFromApi: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['Worker', 'Arn'] },
          Principal: 'apigateway.amazonaws.com',
          SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:Api/*/*/health`,
        },
      },
    },
  };
}

function localIam(workerStatements: unknown[], mode: IamMode = 'enforce', log: (line: string) => void = () => undefined): LocalIam {
  const identities = new Map<string, LocalIdentity>([
    ['WorkerRole', { ref: 'WorkerRole', attributes: { Arn: `arn:aws:iam::${ACCOUNT}:role/WorkerRole` } }],
    ['Worker', { ref: 'Worker', attributes: { Arn: FUNCTION_ARN } }],
    ['DataKey', { ref: 'DataKey', attributes: { Arn: KEY_ARN } }],
    ['LockedKey', { ref: 'LockedKey', attributes: { Arn: OTHER_KEY_ARN } }],
    ['UsageLogs', { ref: 'usage-logs', attributes: { Arn: TABLE_ARN } }],
    ['Ledger', { ref: 'ledger', attributes: { Arn: OTHER_TABLE_ARN } }],
    ['Mail', { ref: BUCKET, attributes: { Arn: `arn:aws:s3:::${BUCKET}` } }],
  ]);
  return new LocalIam(template(workerStatements), new IntrinsicResolver(identities), mode, log);
}

const WRITE_USAGE_LOGS = { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:Query'], Resource: [TABLE_ARN, OTHER_TABLE_ARN] };
const USE_DATA_KEY = { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: [KEY_ARN, OTHER_KEY_ARN] };

describe('LocalIam', () => {
  it('allows a call its role grants, on an encrypted table whose key the role may use', async () => {
    const iam = localIam([WRITE_USAGE_LOGS, USE_DATA_KEY]);
    await expect(iam.authorize('WorkerRole', dynamoRequests(iam, 'PutItem', { TableName: 'usage-logs' }))).resolves.toBeUndefined();
  });

  it('refuses a write the role lacks, naming the role, the action and the table as AWS does', async () => {
    const lines: string[] = [];
    const iam = localIam([{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE_ARN }, USE_DATA_KEY], 'enforce', (line) =>
      lines.push(line),
    );
    const refused = iam.authorize('WorkerRole', dynamoRequests(iam, 'PutItem', { TableName: 'usage-logs' }));
    await expect(refused).rejects.toThrow(AccessDeniedError);
    await expect(refused).rejects.toThrow(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/WorkerRole/Worker is not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(lines.join('\n')).toMatch(
      /missing statement: .*"Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:us-east-1:000000000000:table\/usage-logs"/,
    );
  });

  it('asks for kms:Decrypt on the table key of every item call (KMS: the implicit use is checked)', async () => {
    const iam = localIam([WRITE_USAGE_LOGS]);
    await expect(iam.authorize('WorkerRole', dynamoRequests(iam, 'Query', { TableName: 'usage-logs' }))).rejects.toThrow(
      `kms:Decrypt on resource: ${KEY_ARN} because no identity-based policy allows the kms:Decrypt action`,
    );
  });

  it('refuses a key whose key policy does not delegate to the account, whatever IAM allows (KMS key policy)', async () => {
    const iam = localIam([WRITE_USAGE_LOGS, USE_DATA_KEY]);
    await expect(iam.authorize('WorkerRole', dynamoRequests(iam, 'PutItem', { TableName: 'ledger' }))).rejects.toThrow(
      /kms:Decrypt on resource: .*LockedKey because the key policy/,
    );
  });

  it('lets SES generate data keys for the mail bucket only as its key policy says (KMS for a service principal)', async () => {
    const iam = localIam([]);
    const sourceAccount = { 'aws:SourceAccount': ACCOUNT };
    await expect(
      iam.authorize('ses.amazonaws.com', iam.kmsRequests(`arn:aws:s3:::${BUCKET}/inbound/m1`, ['kms:GenerateDataKey'], sourceAccount)),
    ).resolves.toBeUndefined();
    await expect(
      iam.authorize('ses.amazonaws.com', iam.kmsRequests(`arn:aws:s3:::${BUCKET}/inbound/m1`, ['kms:Decrypt'], sourceAccount)),
    ).rejects.toThrow(/kms:Decrypt/);
    await expect(
      iam.authorize(
        'ses.amazonaws.com',
        iam.kmsRequests(`arn:aws:s3:::${BUCKET}/inbound/m1`, ['kms:GenerateDataKey'], { 'aws:SourceAccount': '111111111111' }),
      ),
    ).rejects.toThrow(/because no resource-based policy allows the kms:GenerateDataKey action/);
  });

  it('applies the bucket policy: SES may write under inbound/ only, and an explicit deny beats an allow', async () => {
    const iam = localIam([{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/*` }]);
    const ses = { 'aws:SourceAccount': ACCOUNT };
    await expect(
      iam.authorize('ses.amazonaws.com', [{ action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/inbound/m1`, context: ses }]),
    ).resolves.toBeUndefined();
    await expect(
      iam.authorize('ses.amazonaws.com', [{ action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/other/m1`, context: ses }]),
    ).rejects.toThrow(AccessDeniedError);
    await expect(
      iam.authorize('WorkerRole', [{ action: 's3:DeleteObject', resource: `arn:aws:s3:::${BUCKET}/inbound/m1` }]),
    ).resolves.toBeUndefined();
    await expect(iam.authorize('WorkerRole', [{ action: 's3:DeleteObject', resource: `arn:aws:s3:::${BUCKET}/held/m1` }])).rejects.toThrow(
      /explicit deny in a resource-based policy/,
    );
  });

  it('lets API Gateway invoke a function only from the source its Lambda permission names', async () => {
    const iam = localIam([]);
    const invoke = (sourceArn: string) =>
      iam.authorize('apigateway.amazonaws.com', [
        { action: 'lambda:InvokeFunction', resource: FUNCTION_ARN, context: { 'aws:SourceArn': sourceArn } },
      ]);
    await expect(invoke(`arn:aws:execute-api:us-east-1:${ACCOUNT}:Api/$default/GET/health`)).resolves.toBeUndefined();
    await expect(invoke(`arn:aws:execute-api:us-east-1:${ACCOUNT}:Api/$default/GET/v1/account`)).rejects.toThrow(/lambda:InvokeFunction/);
  });

  it('in soft mode logs the denial and lets the call through', async () => {
    const lines: string[] = [];
    const iam = localIam([], 'soft', (line) => lines.push(line));
    await expect(iam.authorize('WorkerRole', [{ action: 'dynamodb:PutItem', resource: TABLE_ARN }])).resolves.toBeUndefined();
    expect(lines.join('\n')).toContain('would deny (LOCAL_IAM=soft): WorkerRole dynamodb:PutItem');
    expect([...iam.records.values()]).toEqual([
      expect.objectContaining({ principal: 'WorkerRole', action: 'dynamodb:PutItem', allowed: false }),
    ]);
  });

  it('checks nothing for a key that names no role (tools) or when off', async () => {
    await expect(localIam([]).authorize('S3RVER', [{ action: 'dynamodb:PutItem', resource: TABLE_ARN }])).resolves.toBeUndefined();
    await expect(
      localIam([], 'off').authorize('WorkerRole', [{ action: 'dynamodb:PutItem', resource: TABLE_ARN }]),
    ).resolves.toBeUndefined();
  });

  it('reads the caller from a SigV4 header or a presigned URL', () => {
    expect(
      accessKeyOf({
        authorization: 'AWS4-HMAC-SHA256 Credential=WorkerRole/20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc',
      }),
    ).toBe('WorkerRole');
    expect(accessKeyOf({}, '/mail/k?X-Amz-Credential=WorkerRole%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x')).toBe(
      'WorkerRole',
    );
  });

  it('reads LOCAL_IAM', () => {
    expect([undefined, 'on', 'soft', 'off'].map(iamModeOf)).toEqual(['enforce', 'enforce', 'soft', 'off']);
    expect(() => iamModeOf('maybe')).toThrow(/LOCAL_IAM/);
  });
});
