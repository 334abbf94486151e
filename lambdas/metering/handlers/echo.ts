import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * `ANY /v1/demo/echo/{proxy+}`: the demo upstream product. It answers with what it received —
 * method, path, query and body — so a metered call works with no setup. It stores nothing.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const body = event.body === undefined ? null : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({
      method: event.requestContext.http.method,
      path: `/${event.pathParameters?.proxy ?? ''}`,
      query: event.queryStringParameters ?? {},
      body: json ?? body,
      requestId: event.headers?.['x-request-id'],
    }),
  };
};
