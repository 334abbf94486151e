import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiPath, renderOpenApi } from '../../../lib/openapi';
import { HTTP_METHODS } from '../../../lambdas/shared/routes';
import { synthesizeTemplate } from '../../../local/assembly';

const file = path.join(__dirname, '..', '..', '..', 'docs', 'openapi.json');
type Operation = {
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: unknown[];
  responses: Record<string, { content?: Record<string, unknown> }>;
};
const document = JSON.parse(fs.readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, Operation>> };

/** docs/openapi.json is generated from the route manifests, and says what the deployed API serves. */
describe('docs/openapi.json', () => {
  it('is what the route manifests generate (run npm run docs:openapi after changing a route)', () => {
    expect(fs.readFileSync(file, 'utf8')).toBe(renderOpenApi());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does refuse what is not OpenAPI.
    const broken = { ...structuredClone(document), paths: { '/x': { get: { responses: { '200': { schema: 1 } } } } } };
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('documents every route of the synthesized app, and no route that is not there', () => {
    const served = Object.values(synthesizeTemplate().Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => String(r.Properties!.RouteKey))
      .filter((key) => key !== '$default')
      // An ANY route is documented once per method.
      .flatMap((key) => {
        const [method, routePath] = key.split(' ') as [string, string];
        return (method === 'ANY' ? HTTP_METHODS : [method]).map((m) => `${m} ${openApiPath(routePath)}`);
      });
    const documented = Object.entries(document.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(served.sort());
  });

  it('gives every operation its response schemas and JSON error responses, and every body-taking one its request schema', () => {
    for (const [p, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${p}`;
        const success = Object.entries(operation.responses).filter(([status]) => /^[23]/.test(status));
        expect({ where, success: success.length > 0 }).toEqual({ where, success: true });
        for (const [status, response] of success) {
          if (status.startsWith('2') && status !== '204')
            expect({ where, status, content: Boolean(response.content) }).toEqual({ where, status, content: true });
        }
        expect({ where, errors: operation.responses['500']?.content?.['application/json'] }).toEqual({
          where,
          errors: { schema: { $ref: '#/components/schemas/Error' } },
        });
        if (['post', 'put', 'patch'].includes(method) && !/\/(logout|roll)$|\/checkout\/\{sessionId\}\/cancel$|\{proxy\}/.test(p)) {
          expect({ where, body: Boolean(operation.requestBody?.content) }).toEqual({ where, body: true });
        }
      }
    }
  });
});
