import type { components } from './api/openapi';

/** A URL's scheme (`https://`, `mailto:`…) at its start. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The profile form as the reader filled it in, as the API's patch takes it: a country code in capitals
 * (`is` → `IS`), a website with its scheme (`example.com` → `https://example.com`), every value without
 * the spaces around it, and a field left empty as `null`, which removes it.
 */
export function profileFromForm(form: { company: string; website: string; country: string }): components['schemas']['ProfilePatch'] {
  const company = form.company.trim();
  const website = form.website.trim();
  const country = form.country.trim().toUpperCase();
  return {
    company: company || null,
    website: website ? (SCHEME.test(website) ? website : `https://${website}`) : null,
    country: country || null,
  };
}
