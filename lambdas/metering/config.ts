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
