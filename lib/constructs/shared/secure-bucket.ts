import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface SecureBucketOptions {
  readonly key: kms.IKey;
  readonly accessLogs: s3.IBucket;
  readonly retainData: boolean;
  /** Objects are deleted this many days after creation. */
  readonly expireAfterDays?: number;
}

/** A private, KMS-encrypted, TLS-only, versioned bucket with server access logging. */
export function secureBucket(scope: Construct, id: string, options: SecureBucketOptions): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: options.accessLogs,
    serverAccessLogsPrefix: `${id}/`,
    removalPolicy: options.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: false,
    lifecycleRules: options.expireAfterDays
      ? [
          {
            expiration: Duration.days(options.expireAfterDays),
            noncurrentVersionExpiration: Duration.days(1),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
        ]
      : [{ noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
  });
}
