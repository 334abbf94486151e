import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeTemplate } from '../../../local/assembly';

/** The OpenAPI document lists exactly the routes the CDK app serves. */
describe('docs/openapi.yaml', () => {
  it('documents every route in the app, and no route that is not there', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'openapi.yaml'), 'utf8');
    const documented = new Set<string>();
    let current = '';
    for (const line of doc.split('\n')) {
      const pathMatch = line.match(/^  (\/\S*):$/);
      if (pathMatch) current = pathMatch[1]!;
      const methodMatch = line.match(/^    (get|post|put|patch|delete):$/);
      if (methodMatch && current) documented.add(`${methodMatch[1]!.toUpperCase()} ${current}`);
    }
    const template = synthesizeTemplate();
    const served = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => String(r.Properties!.RouteKey))
      .filter((key) => key !== '$default')
      // An ANY route is documented once per method.
      .flatMap((key) => (key.startsWith('ANY ') ? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => key.replace('ANY', m)) : [key]));
    expect([...documented].sort()).toEqual(served.sort());
  });
});
