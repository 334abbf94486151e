import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';

/** Synthesizes the app without bundling (one test bundles for real) and returns the stack template. */
export function synth(context: Record<string, unknown> = {}) {
  const built = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const assembly = built.app.synth();
  return { ...built, assembly, template: Template.fromStack(built.stack) };
}
