/** A key that an object of a JSON text names twice, and where: the keys (and array indices) leading to that object. */
export interface RepeatedKey {
  key: string;
  path: string[];
}

/** Each key naming a member: a string, optional whitespace, a colon. Inside a string the pattern may match too, so this counts at least as many. */
const KEY_LIKE = /"[\t\n\r ]*:/g;

/** How many members the objects of a parsed JSON value hold, counted without recursion (a 64 KiB body may nest 32,000 deep). */
function membersOf(value: unknown): number {
  let members = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      for (const element of item) if (element !== null && typeof element === 'object') stack.push(element);
      continue;
    }
    for (const key in item) {
      members++;
      const member = (item as Record<string, unknown>)[key];
      if (member !== null && typeof member === 'object') stack.push(member);
    }
  }
  return members;
}

interface Frame {
  object: boolean;
  keys?: Set<string>;
  /** Whether the next string of this object is a key (after `{` or `,`). */
  expectKey: boolean;
  /** The key being read (object) or the index (array): where this frame sits in the path of its children. */
  at: string;
  index: number;
}

/** The end quote of the string opening at `start` (past escaped quotes); the text's length when it never ends. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** Reads the keys of every object in `text` (valid JSON, or at least not crashing on text that is not), returning the first repeated one. */
function scan(text: string): RepeatedKey | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (top?.object && top.expectKey) {
        const raw = text.slice(i + 1, end);
        // Escapes are decoded, so `"a"` and `"\u0061"` are one key, as every parser reads them.
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            return undefined;
          }
        }
        if (top.keys!.has(key)) return { key, path: stack.slice(0, -1).map((frame) => frame.at) };
        top.keys!.add(key);
        top.at = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (top && !top.object) top.at = String(top.index);
      stack.push(
        c === 123
          ? { object: true, keys: new Set(), expectKey: true, at: '', index: 0 }
          : { object: false, expectKey: false, at: '', index: 0 },
      );
    } else if (c === 125 /* } */ || c === 93 /* ] */) stack.pop();
    else if (c === 44 /* , */ && top) {
      if (top.object) top.expectKey = true;
      else top.index++;
    }
  }
  return undefined;
}

/**
 * The first key an object of the JSON `text` names twice — which `JSON.parse` takes silently, the last
 * one winning, where another parser (a proxy, a WAF, a client's own check) may read the first: one body,
 * two meanings. Given the value `text` parsed to, a body whose members all survived parsing (every
 * normal one) is told apart by one native regex count, and only a body where keys went missing — or
 * whose strings hold `":` — is read key by key.
 */
export function repeatedKey(text: string, parsed?: unknown): RepeatedKey | undefined {
  if (parsed !== undefined && (text.match(KEY_LIKE)?.length ?? 0) === membersOf(parsed)) return undefined;
  return scan(text);
}
