import { Template } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_CATALOG } from '../../lambdas/metering/catalog';
import { Api } from '../../lib/constructs/api';
import { Data } from '../../lib/constructs/data';
import { Metering } from '../../lib/constructs/metering';
import { OmnApiFunction } from '../../lib/constructs/omnapi-function';
import { routeFunctions } from '../../lib/constructs/shared/route-functions';
import { platformRoutes } from '../../lambdas/platform/routes';

/** A stack with the data and the API, to build one more construct in; nothing is bundled. */
function base() {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
  const data = new Data(stack, 'Data', { retainData: false });
  const defaults = { key: data.key };
  const api = new Api(stack, 'Api', { defaults, stage: 'dev', throttlingRateLimit: 10, throttlingBurstLimit: 20 });
  return { stack, data, defaults, api };
}

describe('construct props are checked, with every problem named', () => {
  it('Metering refuses out-of-range settings', () => {
    const { stack, data, defaults, api } = base();
    expect(
      () =>
        new Metering(stack, 'Metering', {
          defaults,
          api,
          tables: data.tables,
          catalog: DEFAULT_CATALOG,
          mailFrom: 'no-reply@omnapi.com',
          batchSize: 0,
          keyCacheSeconds: 301,
          maxReceiveCount: 1.5,
          addressWatch: { addressesPerHour: 1, suspend: false },
          batchWindowSeconds: 301,
        }),
    ).toThrow(
      /keyCacheSeconds must be an integer from 0 to 300, got 301; maxReceiveCount must be an integer from 1 to 1000, got 1.5; batchSize must be an integer from 1 to 10000, got 0; batchWindowSeconds must be an integer from 0 to 300, got 301; addressWatch.addressesPerHour must be an integer from 2 to 10000, got 1/,
    );
  });

  it('Metering gathers usage in batches of 1,000 over 10 s by default, and refuses a window Lambda would not take for big batches', () => {
    const { stack, data, defaults, api } = base();
    new Metering(stack, 'Metering', { defaults, api, tables: data.tables, catalog: DEFAULT_CATALOG, mailFrom: 'no-reply@omnapi.com' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const other = base();
    expect(
      () =>
        new Metering(other.stack, 'Metering', {
          defaults: other.defaults,
          api: other.api,
          tables: other.data.tables,
          catalog: DEFAULT_CATALOG,
          mailFrom: 'no-reply@omnapi.com',
          batchWindowSeconds: 0,
        }),
    ).toThrow(/batchWindowSeconds must be an integer from 1 to 300, got 0/);
  });

  it('routeFunctions refuses a route without a function spec and a spec without a route', () => {
    const { stack, defaults, api } = base();
    expect(() =>
      routeFunctions(stack, {
        defaults,
        api,
        context: 'platform',
        manifest: platformRoutes,
        handlers: { health: { description: 'x' }, stray: { description: 'y' } },
      }),
    ).toThrow(/platform routes: routes name handler "openapi" but it has no function spec; function spec "stray" serves no route/);
  });

  it('Api takes one origin secret, from Secrets Manager or (locally) as a value, not both', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
    const data = new Data(stack, 'Data', { retainData: false });
    expect(
      () =>
        new Api(stack, 'Api', {
          defaults: { key: data.key },
          stage: 'dev',
          throttlingRateLimit: 1,
          throttlingBurstLimit: 1,
          originSecretName: 'a',
          localOriginSecret: 'b'.repeat(16),
        }),
    ).toThrow(/not both/);
  });

  it('OmnApiFunction refuses tracing other than active without a reason', () => {
    const { stack, data } = base();
    expect(
      () =>
        new OmnApiFunction(stack, 'Untraced', {
          entry: 'lambdas/platform/handlers/health.ts',
          description: 'x',
          key: data.key,
          serviceName: 'x',
          tracing: lambda.Tracing.PASS_THROUGH,
        }),
    ).toThrow(/needs a tracingReason/);
  });
});
