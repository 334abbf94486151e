import { RouteTable } from '../../../local/http-gateway';

const table = new RouteTable([
  { routeKey: '$default', functionId: 'NotFound' },
  { routeKey: 'GET /v1/keys', functionId: 'ListKeys' },
  { routeKey: 'GET /v1/keys/{id}', functionId: 'GetKey' },
  { routeKey: 'POST /v1/keys/{id}/roll', functionId: 'RollKey' },
  { routeKey: 'ANY /v1/api/{product}/{proxy+}', functionId: 'Gateway' },
  { routeKey: 'GET /v1/api/echo/status', functionId: 'Status' },
  { routeKey: 'ANY /v1/keys/{id}', functionId: 'AnyKey' },
]);

describe('RouteTable', () => {
  it.each([
    ['GET', '/v1/keys', 'ListKeys', undefined],
    ['GET', '/v1/keys/k1', 'GetKey', { id: 'k1' }],
    ['DELETE', '/v1/keys/k1', 'AnyKey', { id: 'k1' }],
    ['POST', '/v1/keys/k1/roll', 'RollKey', { id: 'k1' }],
    ['POST', '/v1/api/echo/a/b/c', 'Gateway', { product: 'echo', proxy: 'a/b/c' }],
    ['GET', '/v1/api/echo/status', 'Status', undefined],
    ['GET', '/v1/keys/a%20b', 'GetKey', { id: 'a b' }],
  ])('%s %s goes to %s', (method, path, functionId, params) => {
    const match = table.match(method, path)!;
    expect(match.route.functionId).toBe(functionId);
    expect(match.pathParameters).toEqual(params);
  });

  it('sends whatever matches no route to $default', () => {
    expect(table.match('GET', '/v1/nothing')!.route.functionId).toBe('NotFound');
    expect(table.match('POST', '/v1/keys')!.route.functionId).toBe('NotFound');
    // A greedy parameter needs at least one segment.
    expect(table.match('GET', '/v1/api/echo')!.route.functionId).toBe('NotFound');
  });
});
