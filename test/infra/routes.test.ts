import { ROUTE_MANIFESTS } from '../../lib/routes';
import { routeKeyOf } from '../../lambdas/shared/routes';
import { synth } from '../helpers/synth';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };

/** The template serves exactly the manifests' routes, each through the function built from its handler file. */
describe('routes from the manifests', () => {
  let resources: Record<string, Resource>;
  beforeAll(() => {
    resources = synth().template.toJSON().Resources;
  });

  /** Route key → the `omnapi:entry` of the function its integration invokes. */
  const servedRoutes = () => {
    const entryOf = (functionId: string) => resources[functionId]!.Metadata!['omnapi:entry'];
    const integrations = Object.fromEntries(
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Integration')
        .map(([id, r]) => [id, entryOf(r.Properties.IntegrationUri['Fn::GetAtt'][0])]),
    );
    return Object.fromEntries(
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map((r) => [r.Properties.RouteKey, integrations[JSON.stringify(r.Properties.Target).match(/"(\w+Integration\w*)"/)![1]!]]),
    );
  };

  it('adds every manifest route, served by its handler file, and no route the manifests do not declare', () => {
    const expected = Object.fromEntries(
      Object.entries(ROUTE_MANIFESTS).flatMap(([context, manifest]) =>
        Object.values(manifest).map((spec) => [routeKeyOf(spec), `lambdas/${context}/handlers/${spec.handler}.ts`]),
      ),
    );
    // `$default` is the API's own fallback, the JSON 404 for whatever matches no route.
    expect(servedRoutes()).toEqual({ ...expected, $default: 'lambdas/platform/handlers/not-found.ts' });
  });

  it('declares each route key once across all contexts', () => {
    const keys = Object.values(ROUTE_MANIFESTS).flatMap((m) => Object.values(m).map(routeKeyOf));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('puts every session route behind a function that can read sessions', () => {
    const sessionsTable = Object.entries(resources).find(([, r]) => r.Metadata?.['omnapi:table'] === 'sessions')![0];
    const served = servedRoutes();
    for (const [context, manifest] of Object.entries(ROUTE_MANIFESTS)) {
      for (const spec of Object.values(manifest).filter((s) => s.auth === 'session')) {
        const [functionId] = Object.entries(resources).find(([, r]) => r.Metadata?.['omnapi:entry'] === served[routeKeyOf(spec)])!;
        const roleId = resources[functionId]!.Properties.Role['Fn::GetAtt'][0];
        const policies = Object.values(resources).filter(
          (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === roleId),
        );
        expect({ route: `${context} ${routeKeyOf(spec)}`, readsSessions: JSON.stringify(policies).includes(sessionsTable) }).toEqual({
          route: `${context} ${routeKeyOf(spec)}`,
          readsSessions: true,
        });
      }
    }
  });
});
