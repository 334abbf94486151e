import { z } from 'zod';
import { CatalogSchema } from './catalog';

/** The catalog as the CDK app serialized it into the function's environment. */
export const CatalogFromEnv = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  })
  .pipe(CatalogSchema);

/** The log message of a usage event that could not be queued; an alarm's metric filter matches it. */
export const UNQUEUED_USAGE_MESSAGE = 'Usage event not queued';
