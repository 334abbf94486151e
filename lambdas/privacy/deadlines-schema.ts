import { z } from 'zod';
import { isCountryCode } from '../shared/countries';

/** The legal deadline by jurisdiction (stage config `privacy.deadlines`): days by ISO country code, and for all others. */
export const DeadlinesSchema = z.object({
  days: z.number().int().min(1).max(90),
  byCountry: z.record(
    z.string().refine(isCountryCode, 'an ISO 3166-1 alpha-2 country code, e.g. BR (GB, not UK)'),
    z.number().int().min(1).max(90),
  ),
});
