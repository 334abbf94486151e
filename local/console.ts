import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { CONSOLE_DIR, ensureConsoleBuilt } from '../console/build';
import { CONSOLE_SOURCE_METADATA_KEY } from '../lib/template-keys';
import type { Template, TemplateResource } from './intrinsics';

/** What the template's CloudFront distribution does, as the local runtime serves it on the API's port. */
export interface LocalConsole {
  /** Path patterns of the behaviours whose origin is the API (custom origin); the rest is the console. */
  apiPatterns: string[];
  /** The default behaviour's response-headers policy, as headers. */
  headers: Record<string, string>;
  /** The default behaviour's viewer-request function, when it has one. */
  viewerRequest?: (uri: string) => string;
  defaultRootObject?: string;
  /** The console's sources (from the deployments' metadata), relative to the app. */
  source: string;
  /** Cache-Control per file, in deployment order: the last deployment whose filters take a file sets it. */
  deployments: { include: string[]; exclude: string[]; cacheControl?: string }[];
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** A CloudFront path pattern (`*` any characters, `?` one) as a regular expression. */
export function pathPattern(pattern: string): RegExp {
  const normalized = pattern.startsWith('/') ? pattern : `/${pattern}`;
  return new RegExp(
    `^${normalized
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** An fnmatch-style filter of the deployment handler (`*` matches across folders, as in Python's fnmatch). */
function fileFilter(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** Compiles a CloudFront Function (cloudfront-js) into a URI rewrite for viewer requests. */
export function compileViewerRequest(code: string): (uri: string) => string {
  const handler = vm.runInNewContext(`${code}\n;handler`, {}, { timeout: 1000 }) as (event: unknown) => {
    uri?: string;
    statusCode?: number;
  };
  return (uri) => {
    const event = {
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: '127.0.0.1' },
      request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} },
    };
    const result = handler(event);
    return typeof result?.uri === 'string' ? result.uri : uri;
  };
}

function refOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    return v.Ref ?? v['Fn::GetAtt']?.[0];
  }
  return undefined;
}

/** The headers a CloudFront response-headers policy adds. */
export function policyHeaders(config: Record<string, any>): Record<string, string> {
  const headers: Record<string, string> = {};
  const security = config.SecurityHeadersConfig ?? {};
  if (security.ContentSecurityPolicy) headers['content-security-policy'] = security.ContentSecurityPolicy.ContentSecurityPolicy;
  if (security.ContentTypeOptions) headers['x-content-type-options'] = 'nosniff';
  if (security.FrameOptions) headers['x-frame-options'] = security.FrameOptions.FrameOption;
  if (security.ReferrerPolicy) headers['referrer-policy'] = security.ReferrerPolicy.ReferrerPolicy;
  if (security.XSSProtection)
    headers['x-xss-protection'] = security.XSSProtection.Protection ? `1${security.XSSProtection.ModeBlock ? '; mode=block' : ''}` : '0';
  const hsts = security.StrictTransportSecurity;
  if (hsts)
    headers['strict-transport-security'] = [
      `max-age=${hsts.AccessControlMaxAgeSec}`,
      ...(hsts.IncludeSubdomains ? ['includeSubDomains'] : []),
      ...(hsts.Preload ? ['preload'] : []),
    ].join('; ');
  for (const item of config.CustomHeadersConfig?.Items ?? []) headers[String(item.Header).toLowerCase()] = item.Value;
  return headers;
}

/** Reads the console's distribution and deployments from the template; undefined when the app has none. */
export function deriveConsole(template: Template): LocalConsole | undefined {
  const resources = template.Resources as Record<string, TemplateResource & { Properties?: Record<string, any> }>;
  const deployments = Object.values(resources).filter(
    (r) => r.Type === 'Custom::CDKBucketDeployment' && r.Metadata?.[CONSOLE_SOURCE_METADATA_KEY],
  );
  const distribution = Object.values(resources).find((r) => r.Type === 'AWS::CloudFront::Distribution');
  if (!deployments.length || !distribution) return undefined;
  const config = distribution.Properties!.DistributionConfig as Record<string, any>;
  const customOrigins = new Set(
    (config.Origins as { Id: string; CustomOriginConfig?: unknown }[]).filter((o) => o.CustomOriginConfig).map((o) => o.Id),
  );
  const apiPatterns = ((config.CacheBehaviors ?? []) as { PathPattern: string; TargetOriginId: string }[])
    .filter((b) => customOrigins.has(b.TargetOriginId))
    .map((b) => b.PathPattern);
  const defaults = config.DefaultCacheBehavior as Record<string, any>;
  const policyId = refOf(defaults.ResponseHeadersPolicyId);
  const headers = policyId ? policyHeaders(resources[policyId]!.Properties!.ResponseHeadersPolicyConfig) : {};
  const association = ((defaults.FunctionAssociations ?? []) as { EventType: string; FunctionARN: unknown }[]).find(
    (f) => f.EventType === 'viewer-request',
  );
  const functionId = association && refOf(association.FunctionARN);
  const sources = new Set(deployments.map((d) => String(d.Metadata![CONSOLE_SOURCE_METADATA_KEY])));
  if (sources.size !== 1) throw new Error(`The console deployments name ${sources.size} sources; the local runtime serves one`);
  return {
    apiPatterns,
    headers,
    viewerRequest: functionId ? compileViewerRequest(resources[functionId]!.Properties!.FunctionCode) : undefined,
    defaultRootObject: config.DefaultRootObject,
    source: [...sources][0]!,
    deployments: deployments.map((d) => ({
      include: d.Properties!.Include ?? [],
      exclude: d.Properties!.Exclude ?? [],
      cacheControl: d.Properties!.SystemMetadata?.['cache-control'],
    })),
  };
}

/** The Cache-Control the deployments give a file (a key relative to the bucket root). */
export function cacheControlOf(site: LocalConsole, key: string): string | undefined {
  let found: string | undefined;
  for (const d of site.deployments) {
    // As the deployment handler applies them: excluded unless included again.
    const excluded = d.exclude.some((p) => fileFilter(p).test(key)) && !d.include.some((p) => fileFilter(p).test(key));
    if (!excluded) found = d.cacheControl;
  }
  return found;
}

export interface ConsoleServer {
  /** Whether the distribution sends this path to the console (not to the API). */
  serves(pathname: string): boolean;
  handle(request: http.IncomingMessage, response: http.ServerResponse, pathname: string): void;
}

/**
 * Builds the console if its sources changed, and answers as the distribution's default behaviour
 * would: the viewer-request rewrite, the bucket's object (403 when there is none, as S3 answers
 * CloudFront without list permission), the deployment's Cache-Control and the policy's headers.
 */
export async function startConsole(site: LocalConsole, root: string, log: (line: string) => void): Promise<ConsoleServer> {
  if (path.resolve(root, site.source) !== CONSOLE_DIR)
    throw new Error(`The console source ${site.source} is not ${path.relative(root, CONSOLE_DIR)}, which the local runtime builds`);
  const dist = await ensureConsoleBuilt(log);
  const api = site.apiPatterns.map(pathPattern);
  return {
    serves: (pathname) => !api.some((pattern) => pattern.test(pathname)),
    handle(request, response, pathname) {
      const method = request.method ?? 'GET';
      for (const [name, value] of Object.entries(site.headers)) response.setHeader(name, value);
      // The console's behaviour allows GET and HEAD (and OPTIONS): CloudFront refuses other methods with a 403.
      if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
        response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        return void response.end('This distribution is not configured to allow the HTTP request method that was used for this request.');
      }
      let uri = site.viewerRequest ? site.viewerRequest(pathname) : pathname;
      if (uri === '/' && site.defaultRootObject) uri = `/${site.defaultRootObject}`;
      const key = uri.replace(/^\/+/, '');
      const file = path.resolve(dist, key);
      const inside = file.startsWith(dist + path.sep);
      if (!inside || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
        response.writeHead(403, { 'content-type': 'application/xml' });
        return void response.end(method === 'HEAD' ? undefined : body);
      }
      const body = fs.readFileSync(file);
      const cacheControl = cacheControlOf(site, key);
      response.writeHead(200, {
        'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        ...(cacheControl ? { 'cache-control': cacheControl } : {}),
      });
      response.end(method === 'HEAD' ? undefined : body);
    },
  };
}
