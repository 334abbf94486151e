/** The languages the privacy workflow writes, English first (the source catalogue). */
export const LOCALES = [
  'en',
  'de',
  'fr',
  'es',
  'ca',
  'it',
  'nl',
  'pt',
  'pl',
  'cs',
  'sv',
  'ro',
  'el',
  'ru',
  'uk',
  'tr',
  'ar',
  'fa',
  'he',
  'zh',
  'ja',
  'ko',
  'hi',
  'th',
  'vi',
  'id',
  'da',
  'bg',
  'hr',
  'fi',
  'hu',
  'et',
  'sk',
  'sl',
  'lv',
  'lt',
  'ga',
  'mt',
  'nb',
  'nn',
  'is',
  'zh-Hant',
] as const;
export type Locale = (typeof LOCALES)[number];

/** The file of a language's catalogue, in this directory (and, once bundled, beside the bundle). */
export const catalogueFile = (locale: Locale) => `${locale}.json`;

/**
 * The catalogues a bundle reads from files beside it, relative to the project root: every language
 * but English, which the bundle carries (it is the source of the keys and every reply's fallback).
 */
export const CATALOGUE_FILES: readonly string[] = LOCALES.filter((l) => l !== 'en').map(
  (l) => `lambdas/privacy/messages/${catalogueFile(l)}`,
);
