import { z } from 'zod';

/** The legal deadline by jurisdiction (stage config `privacy.deadlines`): days by ISO country code, and for all others. */
export const DeadlinesSchema = z.object({
  days: z.number().int().min(1).max(90),
  byCountry: z.record(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. BR'), z.number().int().min(1).max(90)),
});
