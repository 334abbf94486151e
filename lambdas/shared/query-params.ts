import { z } from 'zod';

/** Decimal digits, no sign, no leading zero, at most 15 (every such number is exact in a double). */
const DECIMAL = /^(0|[1-9][0-9]{0,14})$/;

/**
 * A whole number in a query string, written in decimal digits only. `Number()` (zod's `coerce`) reads
 * `0x10` as 16, `1e2` as 100, ` 10` and `10 ` as 10, `-0` as 0 and `1.0` as 1: one parameter, many
 * spellings, which caches, logs and other parsers on the way would not read alike. Each of them is
 * refused with `message` (default: the range it must be in). The OpenAPI document shows an integer in
 * its range, required unless a default is given.
 */
export function queryInteger(options: { min: number; max: number; default?: number; message?: string }) {
  const { min, max } = options;
  const message = options.message ?? `Must be a whole number from ${min} to ${max}, in decimal digits`;
  const parsed = z
    .string({ error: (issue) => (issue.input === undefined ? undefined : message) })
    .regex(DECIMAL, message)
    .transform(Number)
    .pipe(z.number().int(message).min(min, message).max(max, message))
    .meta({
      // The document describes what a caller sends: an integer in range (the string and its pattern are how it is read).
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        delete jsonSchema.pattern;
        Object.assign(
          jsonSchema,
          { type: 'integer', minimum: min, maximum: max },
          options.default === undefined ? {} : { default: options.default },
        );
      },
    });
  return options.default === undefined ? parsed : parsed.default(options.default);
}

/**
 * A time in a query string: ISO 8601 date and time with its zone. zod's "Invalid ISO datetime" refused
 * `2026-01-31`, which is ISO 8601 too (a date): the message says what is missing and gives an example.
 */
export const queryTime = () =>
  z.iso.datetime({
    offset: true,
    error: 'A date and time with its zone (ISO 8601), e.g. 2026-01-31T00:00:00Z or 2026-01-31T09:30:00+01:00',
  });
