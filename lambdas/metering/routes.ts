import { defineRoutes } from '../shared/routes';
import { LogsQuery, LogsResult, ProductPath, ProxiedAnswer, UsageQuery, UsageResult } from './schemas';

/** The metered gateway, the demo upstream product and the caller's usage. */
export const meteringRoutes = defineRoutes({
  meteredCall: {
    method: 'ANY',
    path: '/v1/api/{product}/{proxy+}',
    handler: 'gateway',
    auth: 'apiKey',
    summary: 'A metered call to a product: authenticated, rate-limited, debited and logged',
    description:
      'Send the key as `Authorization: Bearer omn_live_…` or `x-api-key`. Every answer carries X-RateLimit-Limit, ' +
      'X-RateLimit-Remaining, X-RateLimit-Reset, X-Credits-Remaining and X-Request-Id. 502 and 504 are not charged.',
    params: ProductPath,
    rawBody: { contentType: '*/*', description: 'Passed to the product as sent' },
    responses: { 200: { description: "The product's answer", schema: ProxiedAnswer } },
    errors: [400, 401, 402, 403, 404, 429],
    unaudited: 'every metered call is in the call logs (key, address, user agent, status, price; 90 days), not the audit trail',
  },
  echo: {
    method: 'ANY',
    path: '/v1/demo/echo/{proxy+}',
    handler: 'echo',
    auth: 'public',
    summary: 'The demo upstream product behind `echo`: answers with what it received; stores nothing',
    rawBody: { contentType: '*/*', description: 'Echoed back' },
    responses: { 200: { description: 'Method, path, query and body as received', schema: ProxiedAnswer } },
    errors: [],
    unaudited: 'the demo product stores and changes nothing',
  },
  usage: {
    method: 'GET',
    path: '/v1/usage',
    handler: 'usage',
    auth: 'session',
    summary: "The caller's usage in hour or day buckets (arrives a few seconds after each call)",
    query: UsageQuery,
    responses: { 200: { description: 'Buckets', schema: UsageResult } },
    errors: [400, 401],
  },
  logs: {
    method: 'GET',
    path: '/v1/usage/logs',
    handler: 'usage',
    auth: 'session',
    summary:
      "The caller's call logs of the retention period (90 days unless the stage sets usageLogRetentionDays), newest first, a page at a time",
    query: LogsQuery,
    responses: { 200: { description: 'A page of logs', schema: LogsResult } },
    errors: [400, 401],
  },
});
