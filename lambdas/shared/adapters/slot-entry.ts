import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { UsageLog } from '../usage-logs';

/**
 * A call's entry in its slot, in a compact binary form: a slot item is billed per started KB, so
 * every byte of an entry is room for the next call. Brotli cannot shrink one ~100-byte JSON array
 * much (it has no history to refer to), so each field gets the smallest form that gives back
 * exactly the value stored, with a plain fallback for values outside that form:
 *
 * - byte 0, {@link COMPACT_ENTRY}: the form's mark. Entries written before are Brotli streams, and
 *   no Brotli stream (RFC 7932, 9.1) starts with it: its low seven bits are the window-size code
 *   `1 000 001`, which the standard leaves invalid (our encoder never sets the large-window extension
 *   that uses it). So one slot may hold entries of both forms, told apart entry by entry;
 * - byte 1, flags: analytics, upstream latency present, the path Brotli-compressed, the time as
 *   text, the outcome (`ok`, `refunded`, `rejected`: the schema's closed set; 3 = text follows);
 * - byte 2, kinds: how the request id is held (a lowercase UUID as 16 bytes; lowercase hex as its
 *   bytes; padded standard base64 — API Gateway's request ids — as its bytes; any other string of
 *   base64url characters packed six bits a character; else UTF-8), how the IP is held (4 or 16 bytes
 *   when that gives back the same text, else UTF-8), and the method (one of the seven HTTP methods
 *   the gateway forwards as a code, else UTF-8 follows);
 * - then the request id, product (UTF-8: the catalog can add products, so no codes), method when not
 *   a code, path (UTF-8, or Brotli when that is shorter), the numbers, the IP, and the time: the
 *   milliseconds into the slot's period (its hour, or its day for a day slot), or the text itself
 *   when `at` is not the form `toISOString` writes (the schema accepts other precisions).
 *
 * Numbers (status, price, latencies, sizes) are varints when they are non-negative safe integers
 * (shifted left one bit), else a tag and the IEEE double: every number JSON can carry comes back.
 * Strings are a varint length and their bytes.
 */
export const COMPACT_ENTRY = 0x11;
/**
 * The mark of a compact entry that names its client: three bytes of the client's hash follow it,
 * then the same layout. Its low seven bits are those of {@link COMPACT_ENTRY}, so no Brotli stream
 * starts with it either. Slots shared by an account's clients hold these; per-client slots the others.
 */
export const COMPACT_ENTRY_OF_CLIENT = 0x91;
/** Bytes of a client's hash an entry carries. */
export const CLIENT_HASH_BYTES = 3;
/** Bytes of a user agent's id (of its SHA-256): what a slot's client names its agent item by. */
export const AGENT_ID_BYTES = 6;

/** The fields an entry holds: the call's, without what its slot holds once (key id, user agent, the hour). */
export type EntryFields = Omit<UsageLog, 'keyId' | 'userAgent'>;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const OUTCOMES = ['ok', 'refunded', 'rejected'] as const;

const FLAG_ANALYTICS = 1;
const FLAG_UPSTREAM = 2;
const FLAG_PATH_BROTLI = 4;
const FLAG_AT_TEXT = 8;
const OUTCOME_SHIFT = 4;

const IdKind = { Text: 0, Uuid: 1, Hex: 2, Base64: 3, Base64UrlChars: 4 } as const;
type IdKind = (typeof IdKind)[keyof typeof IdKind];
const IpKind = { Text: 0, V4: 1, V6: 2 } as const;
type IpKind = (typeof IpKind)[keyof typeof IpKind];
const IP_SHIFT = 3;
const METHOD_SHIFT = 5;

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

class Writer {
  private readonly bytes: number[] = [];
  byte(value: number): void {
    this.bytes.push(value & 0xff);
  }
  raw(data: Uint8Array): void {
    for (const b of data) this.bytes.push(b);
  }
  /** An unsigned integer up to 2^54, seven bits a byte (arithmetic, not 32-bit shifts). */
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }
  number(value: number): void {
    if (Number.isSafeInteger(value) && value >= 0) return this.varint(value * 2);
    this.varint(1);
    const double = Buffer.alloc(8);
    double.writeDoubleLE(value);
    this.raw(double);
  }
  text(value: string): void {
    this.lengthPrefixed(Buffer.from(value, 'utf8'));
  }
  lengthPrefixed(data: Uint8Array): void {
    this.varint(data.byteLength);
    this.raw(data);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly data: Uint8Array) {}
  byte(): number {
    if (this.at >= this.data.byteLength) throw new Error('Slot entry ends early');
    return this.data[this.at++]!;
  }
  raw(length: number): Uint8Array {
    if (this.at + length > this.data.byteLength) throw new Error('Slot entry ends early');
    const slice = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }
  number(): number {
    const tagged = this.varint();
    if (tagged % 2 === 0) return tagged / 2;
    return Buffer.from(this.raw(8)).readDoubleLE(0);
  }
  lengthPrefixed(): Uint8Array {
    return this.raw(this.varint());
  }
  text(): string {
    return Buffer.from(this.lengthPrefixed()).toString('utf8');
  }
  end(): void {
    if (this.at !== this.data.byteLength) throw new Error('Slot entry has trailing bytes');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The smallest form of a request id that gives it back exactly. */
function idForm(id: string): { kind: IdKind; write: (w: Writer) => void } {
  if (UUID.test(id)) return { kind: IdKind.Uuid, write: (w) => w.raw(Buffer.from(id.replaceAll('-', ''), 'hex')) };
  if (/^(?:[0-9a-f]{2})+$/.test(id)) return { kind: IdKind.Hex, write: (w) => w.lengthPrefixed(Buffer.from(id, 'hex')) };
  if (id.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(id)) {
    const bytes = Buffer.from(id, 'base64');
    if (bytes.toString('base64') === id) return { kind: IdKind.Base64, write: (w) => w.lengthPrefixed(bytes) };
  }
  if (/^[A-Za-z0-9_-]+$/.test(id)) return { kind: IdKind.Base64UrlChars, write: (w) => writePacked(w, id) };
  return { kind: IdKind.Text, write: (w) => w.text(id) };
}

/** A string of base64url characters, six bits each: its length, then the bits packed. */
function writePacked(w: Writer, chars: string): void {
  w.varint(chars.length);
  let acc = 0;
  let bits = 0;
  for (const c of chars) {
    acc = (acc << 6) | B64URL.indexOf(c);
    bits += 6;
    while (bits >= 8) {
      bits -= 8;
      w.byte(acc >> bits);
      acc &= (1 << bits) - 1;
    }
  }
  if (bits > 0) w.byte(acc << (8 - bits));
}

function readPacked(r: Reader): string {
  const length = r.varint();
  const data = r.raw(Math.ceil((length * 6) / 8));
  let out = '';
  let acc = 0;
  let bits = 0;
  let i = 0;
  while (out.length < length) {
    if (bits < 6) {
      acc = ((acc << 8) | data[i++]!) & 0xffff;
      bits += 8;
    }
    bits -= 6;
    out += B64URL[(acc >> bits) & 0x3f];
  }
  return out;
}

function readId(r: Reader, kind: number): string {
  switch (kind) {
    case IdKind.Uuid: {
      const hex = Buffer.from(r.raw(16)).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case IdKind.Hex:
      return Buffer.from(r.lengthPrefixed()).toString('hex');
    case IdKind.Base64:
      return Buffer.from(r.lengthPrefixed()).toString('base64');
    case IdKind.Base64UrlChars:
      return readPacked(r);
    case IdKind.Text:
      return r.text();
    default:
      throw new Error(`Unknown request id form ${kind} in a slot entry`);
  }
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An IPv6 address's 16 bytes, from any form `net.isIPv6` accepts (without a zone). */
function ipv6Bytes(ip: string): Uint8Array | undefined {
  if (!isIPv6(ip) || ip.includes('%') || ip.includes('.')) return undefined;
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8) return undefined;
  return Uint8Array.from(all.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 0xff]));
}

/** RFC 5952's text of an IPv6 address: lowercase, no leading zeros, the first longest run of two or more zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}

function ipForm(ip: string): { kind: IpKind; bytes?: Uint8Array } {
  if (IPV4.test(ip)) return { kind: IpKind.V4, bytes: Uint8Array.from(ip.split('.').map(Number)) };
  const v6 = ipv6Bytes(ip);
  if (v6 && formatIpv6(v6) === ip) return { kind: IpKind.V6, bytes: v6 };
  return { kind: IpKind.Text };
}

const brotli = (data: Buffer) =>
  brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength } });

/**
 * A call's entry in the compact form; `periodStart` (epoch ms) is the start of its slot's period (an
 * hour, or a day: `periodMs`), which the slot's key holds; `client`, when given, the CLIENT_HASH_BYTES
 * of its client's hash (a slot shared by clients).
 */
export function encodeCompactEntry(
  log: EntryFields,
  analytics: boolean,
  periodStart: number,
  client?: Uint8Array,
  periodMs = 3_600_000,
): Uint8Array {
  const w = new Writer();
  const id = idForm(log.requestId);
  const ip = ipForm(log.ip);
  const methodCode = METHODS.indexOf(log.method as (typeof METHODS)[number]) + 1;
  const outcomeCode = OUTCOMES.indexOf(log.outcome);
  const pathText = Buffer.from(log.path, 'utf8');
  const pathPacked = pathText.byteLength > 16 ? brotli(pathText) : undefined;
  const usePacked = pathPacked !== undefined && pathPacked.byteLength < pathText.byteLength;
  const ms = Date.parse(log.at) - periodStart;
  const atAsText = !(ms >= 0 && ms < periodMs && new Date(periodStart + ms).toISOString() === log.at);
  if (client) {
    if (client.byteLength !== CLIENT_HASH_BYTES) throw new Error(`A client hash is ${CLIENT_HASH_BYTES} bytes`);
    w.byte(COMPACT_ENTRY_OF_CLIENT);
    w.raw(client);
  } else w.byte(COMPACT_ENTRY);
  w.byte(
    (analytics ? FLAG_ANALYTICS : 0) |
      (log.upstreamLatencyMs !== undefined ? FLAG_UPSTREAM : 0) |
      (usePacked ? FLAG_PATH_BROTLI : 0) |
      (atAsText ? FLAG_AT_TEXT : 0) |
      ((outcomeCode < 0 ? 3 : outcomeCode) << OUTCOME_SHIFT),
  );
  w.byte(id.kind | (ip.kind << IP_SHIFT) | (methodCode << METHOD_SHIFT));
  id.write(w);
  w.text(log.product);
  if (methodCode === 0) w.text(log.method);
  w.lengthPrefixed(usePacked ? pathPacked : pathText);
  if (outcomeCode < 0) w.text(log.outcome);
  w.number(log.status);
  w.number(log.priceMicroCredits);
  w.number(log.latencyMs);
  if (log.upstreamLatencyMs !== undefined) w.number(log.upstreamLatencyMs);
  w.number(log.requestBytes);
  w.number(log.responseBytes);
  if (ip.bytes) w.raw(ip.bytes);
  else w.text(log.ip);
  if (atAsText) w.text(log.at);
  else w.varint(ms);
  return w.done();
}

/** Whether a stored entry is in the compact form (else it is an earlier Brotli-compressed JSON array). */
export const isCompactEntry = (data: Uint8Array) =>
  data.byteLength > 0 && (data[0] === COMPACT_ENTRY || data[0] === COMPACT_ENTRY_OF_CLIENT);

/** The fields and analytics mark of a compact entry of the slot whose period starts at `periodStart`. */
export function decodeCompactEntry(
  data: Uint8Array,
  periodStart: number,
): { fields: EntryFields; analytics: boolean; client?: Uint8Array } {
  const r = new Reader(data);
  const mark = r.byte();
  if (mark !== COMPACT_ENTRY && mark !== COMPACT_ENTRY_OF_CLIENT) throw new Error('Not a compact slot entry');
  const client = mark === COMPACT_ENTRY_OF_CLIENT ? Uint8Array.from(r.raw(CLIENT_HASH_BYTES)) : undefined;
  const flags = r.byte();
  const kinds = r.byte();
  const requestId = readId(r, kinds & 0b111);
  const product = r.text();
  const methodCode = kinds >> METHOD_SHIFT;
  const method = methodCode === 0 ? r.text() : METHODS[methodCode - 1]!;
  const pathBytes = r.lengthPrefixed();
  const path = (flags & FLAG_PATH_BROTLI ? brotliDecompressSync(pathBytes) : Buffer.from(pathBytes)).toString('utf8');
  const outcomeCode = (flags >> OUTCOME_SHIFT) & 0b11;
  const outcome = (outcomeCode === 3 ? r.text() : OUTCOMES[outcomeCode]!) as UsageLog['outcome'];
  const status = r.number();
  const priceMicroCredits = r.number();
  const latencyMs = r.number();
  const upstreamLatencyMs = flags & FLAG_UPSTREAM ? r.number() : undefined;
  const requestBytes = r.number();
  const responseBytes = r.number();
  const ipKind = (kinds >> IP_SHIFT) & 0b11;
  const ip = ipKind === IpKind.V4 ? [...r.raw(4)].join('.') : ipKind === IpKind.V6 ? formatIpv6(r.raw(16)) : r.text();
  const at = flags & FLAG_AT_TEXT ? r.text() : new Date(periodStart + r.varint()).toISOString();
  r.end();
  return {
    fields: {
      requestId,
      product,
      method,
      path,
      status,
      outcome,
      priceMicroCredits,
      latencyMs,
      ...(upstreamLatencyMs !== undefined ? { upstreamLatencyMs } : {}),
      requestBytes,
      responseBytes,
      ip,
      at,
    },
    analytics: (flags & FLAG_ANALYTICS) !== 0,
    ...(client ? { client } : {}),
  };
}

/**
 * A client as a shared slot holds it once: its key id (length first), then the id of its user agent
 * (`AGENT_ID_BYTES` raw bytes). The agent itself is an item of its own, once per account and hour
 * (`dynamodb-usage-logs.ts`), so a slot's room goes to calls, not to clients' user agents.
 */
export function encodeClient(keyId: string, agentId: Uint8Array): Uint8Array {
  if (agentId.byteLength !== AGENT_ID_BYTES) throw new Error(`An agent id is ${AGENT_ID_BYTES} bytes`);
  if (keyId.length === 0) throw new Error('A client has a key id');
  const w = new Writer();
  w.text(keyId);
  w.raw(agentId);
  return w.done();
}

/**
 * The mark opening a client that holds its user agent itself (where no agent item is read or put).
 * A client of the form above starts with its key id's length, which is never 0 (a key id is never
 * empty), so the two forms are told apart by the first byte.
 */
const INLINE_CLIENT = 0x00;

/** A client holding its key id and its user agent itself: the mark, then both, length first. */
export function encodeInlineClient(keyId: string, userAgent: string): Uint8Array {
  if (keyId.length === 0) throw new Error('A client has a key id');
  const w = new Writer();
  w.byte(INLINE_CLIENT);
  w.text(keyId);
  w.text(userAgent);
  return w.done();
}

/** A client of either form: its key id, its agent's id, and the agent itself when the client holds it. */
export function decodeClient(data: Uint8Array): { keyId: string; agentId: Uint8Array; userAgent?: string } {
  const r = new Reader(data);
  if (data[0] === INLINE_CLIENT) {
    r.byte();
    const keyId = r.text();
    const userAgent = r.text();
    r.end();
    return { keyId, agentId: agentIdOf(userAgent), userAgent };
  }
  const keyId = r.text();
  const agentId = Uint8Array.from(r.raw(AGENT_ID_BYTES));
  r.end();
  return { keyId, agentId };
}

/** A user agent's id: AGENT_ID_BYTES of its SHA-256. */
export const agentIdOf = (userAgent: string) =>
  Uint8Array.from(createHash('sha256').update(userAgent).digest().subarray(0, AGENT_ID_BYTES));
