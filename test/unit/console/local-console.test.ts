import { cacheControlOf, compileViewerRequest, type LocalConsole, pathPattern, policyHeaders } from '../../../local/console';

describe('the local stand-in for the console distribution', () => {
  it('matches paths as CloudFront path patterns do', () => {
    expect(pathPattern('/v1/*').test('/v1/keys')).toBe(true);
    expect(pathPattern('/v1/*').test('/v1/')).toBe(true);
    expect(pathPattern('/v1/*').test('/v1')).toBe(false);
    expect(pathPattern('/v1/*').test('/v10/keys')).toBe(false);
    expect(pathPattern('/health').test('/health')).toBe(true);
    expect(pathPattern('/health').test('/healthz')).toBe(false);
    expect(pathPattern('/a?c').test('/abc')).toBe(true);
    expect(pathPattern('v1/*.json').test('/v1/openapi.json')).toBe(true);
  });

  it("applies the deployments in order, each one's exclude filters undone by its include filters", () => {
    const site = {
      deployments: [
        { include: [], exclude: ['index.html'], cacheControl: 'immutable' },
        { include: ['index.html'], exclude: ['*'], cacheControl: 'no-cache' },
      ],
    } as unknown as LocalConsole;
    expect(cacheControlOf(site, 'index.html')).toBe('no-cache');
    expect(cacheControlOf(site, 'assets/app.js')).toBe('immutable');
    expect(cacheControlOf({ deployments: [] } as unknown as LocalConsole, 'x.js')).toBeUndefined();
  });

  it('turns a response-headers policy into headers', () => {
    expect(
      policyHeaders({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'", Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'SAMEORIGIN', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'same-origin', Override: true },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 600, IncludeSubdomains: false, Preload: true, Override: true },
        },
        CustomHeadersConfig: { Items: [{ Header: 'Permissions-Policy', Value: 'camera=()', Override: true }] },
      }),
    ).toEqual({
      'content-security-policy': "default-src 'self'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'same-origin',
      'strict-transport-security': 'max-age=600; preload',
      'permissions-policy': 'camera=()',
    });
  });

  it("runs a CloudFront Function's handler on the request URI, without access to the runtime", () => {
    const rewrite = compileViewerRequest(
      'function handler(event) { var r = event.request; if (r.uri === "/old") r.uri = "/new"; return r; }',
    );
    expect(rewrite('/old')).toBe('/new');
    expect(rewrite('/other')).toBe('/other');
    expect(() => compileViewerRequest('function handler(event) { return process.exit(1); }')('/x')).toThrow(/process is not defined/);
    // A function that answers itself (a redirect) leaves the URI as it was.
    expect(compileViewerRequest('function handler(event) { return { statusCode: 302 }; }')('/x')).toBe('/x');
  });
});
