import { lazily } from '../../shared/config';
import { confirmConfig } from '../config';
import { ConfirmationLinks } from '../domain/confirmation';
import { core, deletionTermsOf } from './core';

/** The confirmation and cancel links' pages. */
export const confirmWiring = lazily(() => {
  const config = confirmConfig();
  return { links: new ConfirmationLinks(core(config)), deletionTerms: deletionTermsOf(config) };
});
