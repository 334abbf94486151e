import { z } from 'zod';

/** An integer setting within bounds, refused with one message that names the bounds and the value given. */
export function integerIn(min: number, max: number): z.ZodNumber {
  const error = { error: (issue: { input?: unknown }) => `must be an integer from ${min} to ${max}, got ${String(issue.input)}` };
  return z.number(error).int(error).min(min, error).max(max, error);
}

/** Every problem of a parse, one line each, named by its setting's path (`addressWatch.addressesPerHour: …`). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], fallbackName: string): string[] {
  return issues.map((issue) => `${issue.path.join('.') || fallbackName}: ${issue.message}`);
}

/**
 * A construct's settings, parsed by the one schema that states their rules and defaults (the stage
 * config composes the same schemas). Throws one error naming every problem, e.g. `Metering: batchSize: …`.
 */
export function parseSettings<S extends z.ZodType>(construct: string, schema: S, settings: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(settings);
  if (!parsed.success) throw new Error(`${construct}: ${describeIssues(parsed.error.issues, 'settings').join('; ')}`);
  return parsed.data;
}
