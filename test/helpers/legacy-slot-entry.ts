import { brotliCompressSync, constants } from 'node:zlib';
import type { UsageLog } from '../../lambdas/shared/usage-logs';

/** A slot entry as slots stored it before the compact form: the call's values, ms into its hour and the analytics mark, as Brotli-compressed JSON. */
export function legacySlotEntry(log: UsageLog, analytics: boolean): Uint8Array {
  const fields = [
    'requestId',
    'product',
    'method',
    'path',
    'status',
    'outcome',
    'priceMicroCredits',
    'latencyMs',
    'upstreamLatencyMs',
    'requestBytes',
    'responseBytes',
    'ip',
  ] as const;
  const json = Buffer.from(JSON.stringify([...fields.map((f) => log[f] ?? null), Date.parse(log.at) % 3_600_000, analytics ? 1 : 0]));
  return brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: json.length } });
}
