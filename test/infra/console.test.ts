import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Api } from '../../lib/constructs/api';
import { API_PATH_PATTERNS, CACHE_CONTROL, Console, CONSOLE_CSP, CONSOLE_SOURCE_METADATA_KEY } from '../../lib/constructs/console';
import { Data } from '../../lib/constructs/data';
import { cacheControlOf, deriveConsole } from '../../local/console';
import type { Template as CfnTemplate } from '../../local/intrinsics';

/** CloudFront's managed policies, by their fixed ids. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** The app's feature flags (cdk.json), as every synth of the app has them. */
const FLAGS = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;

function consoleStack() {
  const stack = new Stack(new App({ context: { ...FLAGS, 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { region: 'eu-west-1', account: '111111111111' },
  });
  const data = new Data(stack, 'Data', { retainData: false });
  const api = new Api(stack, 'Api', { defaults: { key: data.key }, stage: 'dev', throttlingRateLimit: 10, throttlingBurstLimit: 20 });
  const console = new Console(stack, 'Console', { httpApi: api.httpApi, defaults: { key: data.key }, accessLogs: data.accessLogs });
  return { stack, api, console, template: Template.fromStack(stack) };
}

describe('Console: the SPA on S3 behind CloudFront, with the API on the same origin', () => {
  const { template, stack, api } = consoleStack();
  const apiId = stack.resolve(api.httpApi.apiId);

  it('keeps the assets in a private, KMS-encrypted, TLS-only bucket, read by CloudFront through OAC only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'console-bucket/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('routes /v1/* and /health to the HTTP API uncached, with every method, cookie, query and header but Host', () => {
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    const apiOrigin = distribution.Origins.find((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(JSON.stringify(apiId).slice(1, -1));
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(distribution.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(API_PATH_PATTERNS);
    for (const behavior of distribution.CacheBehaviors) {
      expect(behavior).toMatchObject({
        TargetOriginId: apiOrigin.Id,
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
      });
    }
    expect(distribution).toMatchObject({ DefaultRootObject: 'index.html', Logging: { Prefix: 'cloudfront/' } });
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [{ EventType: 'viewer-request' }],
    });
    // No error-response rewrite: it would turn the API's JSON 404s into the console page.
    expect(distribution.CustomErrorResponses).toBeUndefined();
  });

  it('answers the console with a strict CSP (no inline script, API on this origin only), HSTS, nosniff, no framing, no referrer', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: CONSOLE_CSP, Override: true },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      },
    });
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https:/);
  });

  it('deploys index.html to be revalidated and the hashed files to be cached for a year, invalidating index.html', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    expect(deployments.map((d) => d.Metadata[CONSOLE_SOURCE_METADATA_KEY])).toEqual(['console', 'console']);
    expect(deployments.map((d) => d.Properties.SystemMetadata['cache-control']).sort()).toEqual(
      [CACHE_CONTROL.hashed, CACHE_CONTROL.entry].sort(),
    );
    expect(deployments.find((d) => d.Properties.DistributionPaths)!.Properties.DistributionPaths).toEqual(['/index.html']);
    const site = deriveConsole(template.toJSON() as CfnTemplate)!;
    expect(cacheControlOf(site, 'index.html')).toBe(CACHE_CONTROL.entry);
    expect(cacheControlOf(site, 'assets/index-abc123.js')).toBe(CACHE_CONTROL.hashed);
  });

  it('is what the local runtime serves: API paths, headers and the SPA fallback come from the template', () => {
    const site = deriveConsole(template.toJSON() as CfnTemplate)!;
    expect(site.apiPatterns).toEqual(API_PATH_PATTERNS);
    expect(site.headers).toMatchObject({
      'content-security-policy': CONSOLE_CSP,
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    // The template's own viewer-request function, run: console routes get index.html, files keep their path.
    expect(site.viewerRequest!('/keys')).toBe('/index.html');
    expect(site.viewerRequest!('/privacy/requests/prq_01J')).toBe('/index.html');
    expect(site.viewerRequest!('/')).toBe('/index.html');
    expect(site.viewerRequest!('/assets/index-abc123.js')).toBe('/assets/index-abc123.js');
    expect(site.viewerRequest!('/favicon.svg')).toBe('/favicon.svg');
  });
});
