import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';

/**
 * Synthesizes the app without bundling and without CDK's built-in CloudFormation schema validation
 * (two thirds of a synth's CPU) and returns the stack template. The one test that bundles for real,
 * as `cdk synth` does, also runs that validation and holds the app to no finding (test/infra/bundling.test.ts).
 */
export function synth(context: Record<string, unknown> = {}) {
  const built = buildApp({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const assembly = built.app.synth();
  return { ...built, assembly, template: Template.fromStack(built.stack) };
}
