import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  AssetHashType,
  type CfnElement,
  type CfnResource,
  CustomResource,
  DefaultStackSynthesizer,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONSOLE_DIR, consoleSourceHash, NOT_SOURCES } from '../../console/build';
import type { FunctionDefaults } from './omnapi-function';
import { CONSOLE_SOURCE_METADATA_KEY } from '../template-keys';

export { CONSOLE_SOURCE_METADATA_KEY };

/** Paths the edge sends to the API; everything else is the console. */
export const API_PATH_PATTERNS = ['/v1/*', '/health'];

/** The console's Content-Security-Policy: no inline script or style, nothing from another origin, never framed. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Swagger UI draws its icons as data: SVGs from its stylesheet.
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Content-hashed files may be cached for a year; index.html must be revalidated so a deploy shows at once. */
export const CACHE_CONTROL = { hashed: 'public, max-age=31536000, immutable', entry: 'no-cache' };

/**
 * Paths without a file extension are the console's own routes (`/keys`, `/privacy/requests/…`): the
 * viewer-request function answers them with index.html. An error-response rule could not do this:
 * it would also turn the API's JSON 404s into the page.
 */
export const SPA_FALLBACK_FUNCTION = `function handler(event) {
  var request = event.request;
  if (!/\\.[A-Za-z0-9]+$/.test(request.uri)) request.uri = '/index.html';
  return request;
}`;

export interface ConsoleProps {
  /** The HTTP API that `/v1/*` is routed to, on the same origin as the console. */
  readonly httpApi: apigwv2.IHttpApi;
  /** The data key (assets at rest, the deployment's logs) and the log retention every function has. */
  readonly defaults: FunctionDefaults;
  /** Where the console bucket's and the edge log bucket's server access logs go. */
  readonly accessLogs: s3.IBucket;
  /** Keep the bucket and its key when the stack is deleted. @default false */
  readonly retainData?: boolean;
  /** The console's sources, built by their own asset bundling. @default the repository's console/ */
  readonly sourceDir?: string;
}

/**
 * The customer console: a static single-page app in a private, KMS-encrypted S3 bucket, served by
 * CloudFront through Origin Access Control on the API's origin (`/v1/*` to API Gateway, uncached),
 * so the session cookie stays first-party and SameSite=Strict, with a strict response-headers policy.
 */
export class Console extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly headersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>`: the console, and the API under `/v1/`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const sourceDir = props.sourceDir ?? CONSOLE_DIR;
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const key = props.defaults.key;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console-bucket/',
      versioned: false,
      removalPolicy,
      autoDeleteObjects: false,
    });
    // CloudFront standard logs are written with ACLs: their bucket must allow them, unlike every other bucket here.
    const edgeLogs = new s3.Bucket(this, 'EdgeLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'edge-logs/',
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
    });

    this.headersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'OmnAPI console: strict CSP, HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_CSP, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
        ],
      },
    });

    const fallback = new cloudfront.Function(this, 'SpaFallback', {
      comment: 'Console routes without a file extension are answered with index.html',
      code: cloudfront.FunctionCode.fromInline(SPA_FALLBACK_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    const apiOrigin = new origins.HttpOrigin(`${props.httpApi.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Every answer is per caller (sessions, keys, balances): nothing is cached; cookies, query and headers reach
      // the API. Behind an edge with an origin secret, the edge's header passes through like any other: the
      // distribution never adds it, so its own domain is no way around the edge.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: true,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'OmnAPI console and API',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: edgeLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
        functionAssociations: [{ function: fallback, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    // The built console: `vite build` runs as the asset's local bundling. It needs the repository (the
    // lockfile's packages, docs/openapi.json), which a Docker bundling of console/ alone would not have.
    const assets = s3deploy.Source.asset(sourceDir, {
      assetHash: consoleSourceHash(),
      assetHashType: AssetHashType.CUSTOM,
      exclude: NOT_SOURCES,
      bundling: {
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
        command: ['sh', '-c', 'echo "The console is built on this machine: run npm ci, then deploy again" >&2; exit 1'],
        local: {
          tryBundle(outputDir) {
            const root = path.resolve(sourceDir, '..');
            const result = spawnSync(
              process.execPath,
              [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(sourceDir, 'build.ts'), '--out', outputDir],
              { cwd: root, stdio: 'inherit' },
            );
            return result.status === 0;
          },
        },
      },
    });
    const relativeSource = path.relative(path.resolve(__dirname, '..', '..'), sourceDir);
    // The deployment handler's own role and log group: no managed policy, logs encrypted and kept like every function's.
    const deployLogs = new logs.LogGroup(this, 'DeployLogs', {
      retention: props.defaults.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: key,
      removalPolicy: props.defaults.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const deployRole = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the built console into its bucket and invalidates index.html (deploy time only)',
    });
    deployLogs.grantWrite(deployRole);
    // Hashed files first, kept across deploys so pages loaded before a deploy still find their chunks.
    const hashed = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [assets],
      destinationBucket: this.bucket,
      exclude: ['index.html'],
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(CACHE_CONTROL.hashed)],
      memoryLimit: 512,
      role: deployRole,
      logGroup: deployLogs,
    });
    const entry = new s3deploy.BucketDeployment(this, 'DeployEntry', {
      sources: [assets],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['index.html'],
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(CACHE_CONTROL.entry)],
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
      memoryLimit: 512,
      role: deployRole,
      logGroup: deployLogs,
    });
    entry.node.addDependency(hashed);
    for (const deployment of [hashed, entry]) {
      const resource = deployment.node.children.find((c): c is CustomResource => c instanceof CustomResource);
      if (!resource) throw new Error(`Console: ${deployment.node.path} has no custom resource to mark with the console's source`);
      (resource.node.defaultChild as CfnResource).addMetadata(CONSOLE_SOURCE_METADATA_KEY, relativeSource);
    }

    this.acknowledge(deployRole);
  }

  private acknowledge(deployRole: iam.Role): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Customers call the API from anywhere; access is controlled by sessions and keys, not by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The static console has nothing to protect with WAF rules; the API behind /v1/* has stage throttling and per-key rate limits.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; attach a custom domain with TLSv1.2_2021 to raise it.',
      },
    );
    // The deployment custom resource is CDK's own singleton function, created in the stack's scope.
    const stack = Stack.of(this);
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)) as string;
    const copyReason =
      "CDK's BucketDeployment handler copies the console asset from the CDK asset bucket into the console bucket (object-level " +
      'wildcards on those two buckets and their KMS key only) and invalidates the distribution (CloudFront has no resource-level invalidation permission).';
    const wildcards = [
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].map(
        (action) => `Action::${action}`,
      ),
      'Resource::*',
      `Resource::<${bucketId}.Arn>/*`,
      `Resource::arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`,
    ];
    Validations.of(deployRole).acknowledge(...wildcards.map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: copyReason })));
    for (const child of stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-L1',
          reason: "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib and moves with its upgrades.",
        },
        {
          id: 'Serverless-LambdaDLQ',
          reason:
            'CloudFormation invokes the deployment handler synchronously and fails the deployment on error; there is no event to keep.',
        },
        {
          id: 'Serverless-LambdaTracing',
          reason: 'A deploy-time copy of static files: tracing it would show nothing of the running platform.',
        },
        {
          id: 'Serverless-LambdaLatestVersion',
          reason: "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib and moves with its upgrades.",
        },
      );
    }
  }
}
