import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';

/**
 * Synthesizes the app without bundling and without CDK's built-in CloudFormation schema validation
 * (two thirds of a synth's CPU) and returns the stack template. The one test that bundles for real,
 * as `cdk synth` does, also runs that validation and holds the app to no finding (test/infra/bundling.test.ts).
 */
function synthesize(context: Record<string, unknown>) {
  const built = buildApp({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const assembly = built.app.synth();
  return { ...built, assembly, template: Template.fromStack(built.stack) };
}

/** This test file's syntheses by context: tests read what they get, so each context is synthesized once a file. */
const synthesized = new Map<string, ReturnType<typeof synthesize>>();

/** The app synthesized with `context` (see `synthesize`), shared by the tests of one file; a context that fails throws each time. */
export function synth(context: Record<string, unknown> = {}) {
  const key = JSON.stringify(context);
  let built = synthesized.get(key);
  if (!built) {
    built = synthesize(context);
    synthesized.set(key, built);
  }
  return built;
}
