import fc from 'fast-check';
import { repeatedKey } from '../../../lambdas/shared/json-keys';

/** A JSON text with one object member written twice: the text JSON.parse reads with the last one winning. */
const withRepeatedMember = (text: string, at: number, key: string) => `${text.slice(0, at)}${JSON.stringify(key)}:0,${text.slice(at)}`;

describe('repeated keys in a JSON text', () => {
  it.each([
    ['{"email":"a@x","email":"b@y"}', { key: 'email', path: [] }],
    ['{"profile":{"name":"a","name":"b"}}', { key: 'name', path: ['profile'] }],
    ['{"a":[{"x":1},{"x":1,"y":2,"x":3}]}', { key: 'x', path: ['a', '1'] }],
    ['[1,2,{"k":[{}, {"q":1,"q":2}]}]', { key: 'q', path: ['2', 'k', '1'] }],
    // One key however it is escaped: every parser decodes the escape before comparing.
    ['{"a":1,"\\u0061":2}', { key: 'a', path: [] }],
    ['{"a\\"b":1,"a\\u0022b":2}', { key: 'a"b', path: [] }],
    ['{ "a" : 1 ,\n\t"a"\r\n: 2 }', { key: 'a', path: [] }],
    ['{"":1,"":2}', { key: '', path: [] }],
  ])('finds the key %s repeats', (text, expected) => {
    expect(repeatedKey(text, JSON.parse(text))).toEqual(expected);
    expect(repeatedKey(text)).toEqual(expected);
  });

  it.each([
    '{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}',
    '{"a":"\\":","b":"x\\\\","c":"\\\\\\":"}',
    '{"note":"he said \\"a\\": b, \\"a\\": c"}',
    '"a\\":"',
    '[]',
    '{}',
    '12',
  ])('finds none in %s, whose keys are all different (strings may look like keys)', (text) => {
    expect(repeatedKey(text, JSON.parse(text))).toBeUndefined();
    expect(repeatedKey(text)).toBeUndefined();
  });

  it('never reports a key in a JSON text whose objects repeat none', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : 0);
        expect(repeatedKey(text, JSON.parse(text))).toBeUndefined();
        expect(repeatedKey(text)).toBeUndefined();
      }),
      { seed: 7_204, numRuns: 500 },
    );
  });

  it('finds a member written twice in any object, however deep', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.string(), (value, pick, extra) => {
        const text = JSON.stringify({ wrap: value });
        // A `{` opens an object unless it is inside a string (where the insertion makes the text no JSON: skipped).
        const opens = [...text.matchAll(/\{/g)].map((m) => m.index!);
        const at = opens[pick % opens.length]! + 1;
        const key = `${extra}\u0000`;
        const once = withRepeatedMember(text, at, key);
        let doubled: string;
        try {
          JSON.parse(once);
          doubled = withRepeatedMember(once, at, key);
          JSON.parse(doubled);
        } catch {
          return; // the `{` was inside a string
        }
        expect(repeatedKey(doubled, JSON.parse(doubled))?.key).toBe(key);
      }),
      { seed: 7_205, numRuns: 500 },
    );
  });

  it('reads a body nested 30,000 deep without overflowing the stack', () => {
    const deep = `${'['.repeat(30_000)}{"a":1,"a":2}${']'.repeat(30_000)}`;
    expect(repeatedKey(deep, JSON.parse(deep))?.key).toBe('a');
  });
});
