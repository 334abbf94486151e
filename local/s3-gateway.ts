import * as http from 'node:http';
import { AccessDeniedError, accessKeyOf, type IamRequest, type LocalIam } from './iam';

/** s3rver checks only that it knows a SigV4 access key, not the signature: every caller reaches it as this one. */
const S3RVER_KEY = 'S3RVER';

/**
 * The local S3 endpoint: a proxy in front of s3rver that authorizes each request — as the role its
 * access key (or a presigned URL's) names — against the role's policies, the bucket policy and, for
 * buckets encrypted with a KMS key, that key's policy, then passes it on untouched but for the key.
 */
export function createS3Gateway(backend: string, iam: LocalIam | undefined, log: (line: string) => void): http.Server {
  const target = new URL(backend);
  return http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    const needsBody = request.method === 'POST' && /[?&]delete(=|&|$)/.test(request.url ?? '');
    const go = async (body?: Buffer) => {
      try {
        const key = accessKeyOf(request.headers, request.url);
        if (iam?.roleOf(key)) await iam.authorize(key, s3Requests(iam, request, body));
      } catch (error) {
        if (error instanceof AccessDeniedError) return denied(response, error);
        log(`s3 gateway: ${(error as Error).message}`);
      }
      const headers = { ...request.headers, host: target.host };
      if (typeof headers.authorization === 'string')
        headers.authorization = headers.authorization.replace(/Credential=[^/,\s]+\//, `Credential=${S3RVER_KEY}/`);
      const signed = (request.url ?? '/').replace(/X-Amz-Credential=[^%&]+(%2F|\/)/i, `X-Amz-Credential=${S3RVER_KEY}$1`);
      const { url, rewrite } = asSingleVersions(signed);
      const upstream = http.request({ host: target.hostname, port: target.port, method: request.method, path: url, headers }, (answer) => {
        if (!rewrite || answer.statusCode !== 200) {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          return void answer.pipe(response);
        }
        const parts: Buffer[] = [];
        answer.on('data', (part: Buffer) => parts.push(part));
        answer.on('end', () => {
          const body = Buffer.from(rewrite(Buffer.concat(parts).toString('utf8')));
          response.writeHead(200, { ...answer.headers, 'content-length': body.length });
          response.end(body);
        });
      });
      upstream.on('error', (error) => {
        if (!response.headersSent) response.writeHead(502);
        response.end(String(error.message));
      });
      if (body) upstream.end(body);
      else request.pipe(upstream);
    };
    if (needsBody) {
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => void go(Buffer.concat(chunks)));
    } else {
      request.pause();
      void go().finally(() => request.resume());
    }
  });
}

/**
 * s3rver keeps one version of each key and knows no version ids. The template's buckets are versioned,
 * so code lists and deletes versions by id: the gateway answers a version listing with that one version
 * of each key, id `null` (as S3 lists an object written before versioning), and a call on version
 * `null` goes to the key itself.
 */
function asSingleVersions(url: string): { url: string; rewrite?: (xml: string) => string } {
  const parsed = new URL(url, 'http://local');
  const [bucket, ...rest] = parsed.pathname.slice(1).split('/');
  if (parsed.searchParams.get('versionId') === 'null') {
    parsed.searchParams.delete('versionId');
    return { url: `${parsed.pathname}${parsed.search}` };
  }
  if (!bucket || rest.join('/') || !parsed.searchParams.has('versions')) return { url };
  const listing = new URLSearchParams();
  for (const [from, to] of [
    ['prefix', 'prefix'],
    ['key-marker', 'marker'],
    ['max-keys', 'max-keys'],
  ] as const)
    if (parsed.searchParams.has(from)) listing.set(to, parsed.searchParams.get(from)!);
  return {
    url: `/${bucket}?${listing}`,
    rewrite: (xml) =>
      xml
        .replace(/<ListBucketResult([^>]*)>/, '<ListVersionsResult$1>')
        .replace('</ListBucketResult>', '</ListVersionsResult>')
        .replace(/<NextMarker>/g, '<NextKeyMarker>')
        .replace(/<\/NextMarker>/g, '</NextKeyMarker>')
        .replace(/<Contents>([\s\S]*?)<\/Contents>/g, '<Version>$1<VersionId>null</VersionId><IsLatest>true</IsLatest></Version>'),
  };
}

/** The IAM requests one S3 call makes: its action on the bucket or object, and the implicit KMS use. */
export function s3Requests(iam: LocalIam, request: http.IncomingMessage, body?: Buffer): IamRequest[] {
  const url = new URL(request.url ?? '/', 'http://local');
  const [bucket, ...rest] = url.pathname.slice(1).split('/');
  if (!bucket) return [{ action: 's3:ListAllMyBuckets', resource: '*' }];
  const objectKey = decodeURIComponent(rest.join('/'));
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const objectArn = `${bucketArn}/${objectKey}`;
  const context = { 's3:TlsVersion': '1.3' };
  const method = request.method ?? 'GET';
  const q = url.searchParams;
  if (!objectKey) {
    if (method === 'POST' && q.has('delete')) {
      const keys = [...String(body ?? '').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1]!));
      return keys.map((k) => ({ action: 's3:DeleteObject', resource: `${bucketArn}/${k}`, context }));
    }
    if (method === 'GET') {
      const listing = q.has('uploads') ? 's3:ListBucketMultipartUploads' : q.has('versions') ? 's3:ListBucketVersions' : 's3:ListBucket';
      return [{ action: listing, resource: bucketArn, context: { ...context, 's3:prefix': q.get('prefix') ?? '' } }];
    }
    if (method === 'HEAD') return [{ action: 's3:ListBucket', resource: bucketArn, context }];
    return [{ action: method === 'DELETE' ? 's3:DeleteBucket' : 's3:CreateBucket', resource: bucketArn, context }];
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (q.has('uploadId')) return [{ action: 's3:ListMultipartUploadParts', resource: objectArn, context }];
      return [
        { action: q.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn, context },
        ...iam.kmsRequests(objectArn, ['kms:Decrypt']),
      ];
    case 'DELETE': {
      const deletion = q.has('uploadId') ? 's3:AbortMultipartUpload' : q.has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject';
      return [{ action: deletion, resource: objectArn, context }];
    }
    case 'PUT':
    case 'POST': {
      const requests: IamRequest[] = [{ action: 's3:PutObject', resource: objectArn, context }];
      const copySource = request.headers['x-amz-copy-source'];
      if (typeof copySource === 'string') {
        const source = `arn:aws:s3:::${decodeURIComponent(copySource.replace(/^\//, '').split('?')[0]!)}`;
        requests.push({ action: 's3:GetObject', resource: source, context }, ...iam.kmsRequests(source, ['kms:Decrypt']));
      }
      // A multipart upload decrypts its parts to assemble them: it needs Decrypt as well as GenerateDataKey.
      const multipart = q.has('uploads') || q.has('uploadId');
      return [...requests, ...iam.kmsRequests(objectArn, multipart ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:GenerateDataKey'])];
    }
    default:
      return [];
  }
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** S3's refusal: 403 with an XML error naming the action and the resource. */
function denied(response: http.ServerResponse, error: AccessDeniedError): void {
  const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${escapeXml(error.message)}</Message><RequestId>local</RequestId></Error>`;
  response.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
