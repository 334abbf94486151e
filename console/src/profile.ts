import type { Schemas } from './api/client';

/** A URL's scheme (`https://`, `mailto:`…) at its start. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The profile form as the reader filled it in, as the API takes it: a country code in capitals
 * (`is` → `IS`), a website with its scheme (`example.com` → `https://example.com`), nothing that was
 * left empty, and every value without the spaces around it.
 */
export function profileFromForm(form: { company: string; website: string; country: string }): Schemas['Profile'] {
  const company = form.company.trim();
  const website = form.website.trim();
  const country = form.country.trim().toUpperCase();
  return {
    ...(company ? { company } : {}),
    ...(website ? { website: SCHEME.test(website) ? website : `https://${website}` } : {}),
    ...(country ? { country } : {}),
  };
}
