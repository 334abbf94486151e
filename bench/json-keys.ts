import { repeatedKey } from '../lambdas/shared/json-keys';
import { hasLoneSurrogate } from '../lambdas/shared/plain-text';

/**
 * What refusing repeated JSON keys adds to parsing a body (`npx tsx bench/json-keys.ts`): per body, the
 * parse the HTTP stack does (`@middy/http-json-body-parser`'s prototype check and our reviver refusing
 * lone surrogates), the same plus `repeatedKey`, and `JSON.parse` alone for scale; median of 7 rounds.
 */
const reviver = (key: string, value: unknown) => {
  if (hasLoneSurrogate(key) || (typeof value === 'string' && hasLoneSurrogate(value))) throw new Error('lone surrogate');
  return value;
};
/** As `@middy/util`'s `jsonParseProtectProto` (an ES module tsx cannot require here) calls it. */
const stackParse = (text: string): unknown =>
  JSON.parse(text, (key, value) => {
    if (key === '__proto__' || (key === 'constructor' && value && Object.hasOwn(value, 'prototype'))) throw new Error('forbidden key');
    return reviver(key, value);
  });
const bodies: Record<string, string> = {
  'preferences (~150 B)': JSON.stringify({ lowBalanceCredits: '100', locale: 'de-DE', timeZone: 'Europe/Berlin', weekStart: 1 }),
  'profile patch (~600 B)': JSON.stringify({
    name: 'Ada Lovelace',
    profile: {
      company: 'Analytical Engines Ltd',
      website: 'https://example.org',
      country: 'GB',
      vatId: 'GB123456789',
      phone: '+441234567890',
    },
    email: 'ada@example.org',
    currentPassword: 'correct horse battery staple',
  }),
  'strings holding ": (slow path, ~1 KB)': JSON.stringify({ note: 'he wrote "a": 1, "b": 2 '.repeat(30), name: 'x' }),
  '60 KB, 2,000 members': JSON.stringify(
    Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`field${i}`, { value: i, label: `label ${i}` }])),
  ),
};

/** Median µs per call of each function, their rounds interleaved so a busy machine slows them alike. */
function perCallUs(fns: (() => unknown)[], iterations: number): number[] {
  const rounds: number[][] = fns.map(() => []);
  for (let r = 0; r < 15; r++)
    for (const [f, fn] of fns.entries()) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) fn();
      if (r > 2) rounds[f]!.push(Number(process.hrtime.bigint() - start) / 1_000 / iterations);
    }
  return rounds.map((times) => times.sort((a, b) => a - b)[times.length >> 1]!);
}

for (const [name, text] of Object.entries(bodies)) {
  const iterations = Math.max(50, Math.round(2_000_000 / text.length));
  const [plain, parse, both] = perCallUs(
    [() => JSON.parse(text), () => stackParse(text), () => repeatedKey(text, stackParse(text))],
    iterations,
  );
  const added = both! - parse!;
  console.log(
    `${name.padEnd(40)} JSON.parse ${plain!.toFixed(1).padStart(7)} µs  stack parse ${parse!.toFixed(1).padStart(7)} µs  + repeated keys ${both!.toFixed(1).padStart(7)} µs (${added >= 0 ? '+' : ''}${added.toFixed(1)} µs, ${((added / parse!) * 100).toFixed(0)}%)`,
  );
}
