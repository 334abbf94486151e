import { z } from 'zod';
import { isCountryCode } from './countries';
import { plainTextProblem } from './plain-text';

/** Text people read (in the console, in mail, in operators' listings): any script, nothing that changes how it shows. */
export const readable =
  (options: { lines?: boolean } = {}) =>
  (value: string, ctx: z.RefinementCtx) => {
    const problem = plainTextProblem(value, options);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };

const COUNTRY_PROBLEM = 'Must be an ISO 3166-1 alpha-2 country code, e.g. DE';

/**
 * The account's name and profile fields as every path that writes them checks them: the account API
 * (`accounts/schemas.ts`) and a privacy correction read from a letter (`privacy/domain/correction.ts`).
 */
export const ACCOUNT_FIELDS = {
  name: z.string().trim().min(1, 'Must not be empty').max(100).superRefine(readable()),
  company: z.string().trim().max(100).superRefine(readable()),
  website: z
    .url({ protocol: /^https?$/ })
    .max(200)
    // `https://omnapi.com@evil.example/` names the site it opens after the @: whoever reads it (an operator, the holder) takes it for the first.
    .refine(
      (url) => !/^https?:\/\/[^/?#]*@/i.test(url),
      'Must not hold a user name or password before the host (https://name@host reads as one site and opens another)',
    ),
  country: z
    .string()
    // The pattern for OpenAPI readers; the list for the codes it lets through that name no country (XX, UK, EU).
    .regex(/^[A-Z]{2}$/, { message: COUNTRY_PROBLEM, abort: true })
    .refine(isCountryCode, COUNTRY_PROBLEM),
  bio: z
    .string()
    .max(1000)
    .superRefine(readable({ lines: true })),
};
