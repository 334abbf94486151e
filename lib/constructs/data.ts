import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_SPECS, type TableName, type TableSpec, TTL_ATTRIBUTE } from '../../lambdas/shared/tables';
import { TABLE_METADATA_KEY } from '../template-keys';

export { TABLE_SPECS, type TableName, TTL_ATTRIBUTE };

export { TABLE_METADATA_KEY };

export interface DataProps {
  /** Keep tables and the key when the stack is deleted, and turn on deletion protection. */
  readonly retainData: boolean;
}

/** The customer-managed KMS key, every DynamoDB table (encrypted with it) and the S3 access-log bucket. */
export class Data extends Construct {
  public readonly key: kms.Key;
  public readonly tables: Record<TableName, dynamodb.Table>;
  /** Target of every bucket's server access logs. */
  public readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      description: 'OmnAPI data at rest: tables, queues, buckets, logs',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.key.addAlias(`alias/omnapi-${Stack.of(this).stackName.toLowerCase()}`);
    // CloudWatch Logs encrypts function, API and workflow logs with the same key.
    const { region, account, partition } = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
        },
      }),
    );

    // Server access logs can only be delivered to an SSE-S3 bucket, and a log bucket does not log itself.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket; logging it into itself would loop.',
    });

    const entries = Object.entries(TABLE_SPECS) as [TableName, TableSpec][];
    this.tables = Object.fromEntries(
      entries.map(([name, spec]) => [name, this.createTable(name, spec, props.retainData, removalPolicy)]),
    ) as Record<TableName, dynamodb.Table>;
  }

  private createTable(name: TableName, spec: TableSpec, retain: boolean, removalPolicy: RemovalPolicy) {
    const id = name.charAt(0).toUpperCase() + name.slice(1);
    const table = new dynamodb.Table(this, id, {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy,
      timeToLiveAttribute: spec.ttl ? TTL_ATTRIBUTE : undefined,
    });
    if (spec.gsi1) {
      table.addGlobalSecondaryIndex({
        indexName: 'gsi1',
        partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      });
    }
    (table.node.defaultChild as dynamodb.CfnTable).addMetadata(TABLE_METADATA_KEY, name);
    return table;
  }
}
