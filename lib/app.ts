import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadStageConfig, type StageConfig } from './config';
import { OmnApiStack } from './omnapi-stack';

export interface OmnApiApp {
  readonly app: App;
  readonly stack: OmnApiStack;
  readonly config: StageConfig;
}

/**
 * Builds the CDK app: stage config from context, the stack, and the cdk-nag packs that every
 * synth runs. Used by `bin/omnapi.ts`, the tests and the local runtime alike.
 */
export function buildApp(props: AppProps = {}): OmnApiApp {
  // cdk.json's feature flags are the defaults everywhere, not only under the CDK CLI.
  const app = new App({ ...props, context: { ...cdkJsonContext(), ...props.context } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const stack = new OmnApiStack(app, `OmnApi-${config.stage}`, {
    config,
    description: `OmnAPI metered API platform (${config.stage})`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    terminationProtection: config.stage === 'prod',
  });
  // Acknowledgements are also written into the template, as an audit trail of every reason given.
  const nagOptions = { writeSuppressionsToCloudFormation: true };
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, nagOptions), new ServerlessChecks(app, nagOptions));
  return { app, stack, config };
}

function cdkJsonContext(): Record<string, unknown> {
  const file = path.join(__dirname, '..', 'cdk.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
