import type { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { RouteManifest } from '../../../lambdas/shared/routes';
import type { TableName } from '../../../lambdas/shared/tables';
import type { Api } from '../api';
import { type FunctionDefaults, OmnApiFunction, type TableAccess } from '../omnapi-function';

/** What the infrastructure decides for one handler file: its grants and its size. Its routes come from the manifest. */
export interface HandlerFunctionSpec {
  description: string;
  tables?: Partial<Record<TableName, TableAccess>>;
  /** Grants sending from the stage's mail identity. */
  sendsMail?: boolean;
  /** @default 512 */
  memorySize?: number;
  /** @default Duration.seconds(10) */
  timeout?: Duration;
  environment?: Record<string, string>;
  /** @default Tracing.ACTIVE; anything else with its reason. */
  tracing?: { mode: lambda.Tracing; reason: string };
  /** Files copied beside the bundle (`OmnApiFunctionProps.besideBundle`). @default none */
  besideBundle?: readonly string[];
}

export interface RouteFunctionsProps {
  defaults: FunctionDefaults;
  api: Api;
  /** The context's folder under `lambdas/`, e.g. `accounts`. */
  context: string;
  manifest: RouteManifest;
  /** One entry per handler file the manifest names. */
  handlers: Record<string, HandlerFunctionSpec>;
  /** Needed when a handler spec names tables. */
  tables?: Record<TableName, dynamodb.Table>;
  mailFrom?: string;
}

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * One Lambda function per handler file of a context's route manifest, each granted only what its spec
 * names, and every manifest route added to the HTTP API. Throws one error listing every handler the
 * manifest names without a spec, and every spec no route uses.
 */
export function routeFunctions(scope: Construct, props: RouteFunctionsProps): Record<string, OmnApiFunction> {
  const routed = new Set(Object.values(props.manifest).map((r) => r.handler));
  const problems = [
    ...[...routed].filter((h) => !props.handlers[h]).map((h) => `routes name handler "${h}" but it has no function spec`),
    ...Object.keys(props.handlers)
      .filter((h) => !routed.has(h))
      .map((h) => `function spec "${h}" serves no route`),
    ...(Object.values(props.handlers).some((h) => h.sendsMail) && !props.mailFrom
      ? ['a handler sends mail but no mailFrom was given']
      : []),
    ...(Object.values(props.handlers).some((h) => h.tables) && !props.tables ? ['a handler names tables but no tables were given'] : []),
    ...(Object.values(props.manifest).some((r) => r.audit) && !props.tables
      ? ['a route writes audit events but no tables were given']
      : []),
  ];
  if (problems.length) throw new Error(`${props.context} routes: ${problems.join('; ')}`);

  const functions: Record<string, OmnApiFunction> = {};
  for (const [handler, spec] of Object.entries(props.handlers)) {
    const fn = new OmnApiFunction(scope, pascal(handler), {
      ...props.defaults,
      entry: `lambdas/${props.context}/handlers/${handler}.ts`,
      description: spec.description,
      serviceName: props.context,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      environment: spec.environment,
      tracing: spec.tracing?.mode,
      tracingReason: spec.tracing?.reason,
      besideBundle: spec.besideBundle,
    });
    for (const [table, access] of Object.entries(spec.tables ?? {}) as [TableName, TableAccess][])
      fn.bindTable(table, props.tables![table], access);
    if (spec.sendsMail) fn.bindMailSender(props.mailFrom!);
    // A handler whose routes write audit events may append to the trail, and only append.
    if (Object.values(props.manifest).some((r) => r.handler === handler && r.audit))
      fn.bindTable('auditEvents', props.tables!.auditEvents, 'append');
    functions[handler] = fn;
  }
  for (const route of Object.values(props.manifest)) props.api.addRoute(route, functions[route.handler]!);
  return functions;
}
