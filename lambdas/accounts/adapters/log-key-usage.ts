import type { UsageLogStore } from '../../shared/usage-logs';
import type { KeyUsage } from '../domain/ports';

/** Logs read newest first, a page at a time, looking for the keys not yet seen. */
const PAGE = 1_000;
/**
 * At most LAST_USE_SCAN_LIMIT / PAGE pages of the reader for one listing, each 1,000 logs or the
 * reader's budget of stored items: a key idle while others are busy may show no last use.
 */
export const LAST_USE_SCAN_LIMIT = 20_000;

/**
 * Each key's last use read from the call logs (newest first), stopping once every key is found.
 * Nothing is written on the metered path for it: the gateway's one write per call stays one.
 */
export class LogKeyUsage implements KeyUsage {
  constructor(
    private readonly logs: UsageLogStore,
    private readonly now: () => Date,
  ) {}

  async lastUses(accountId: string, keyIds: string[]): Promise<Map<string, { at: string; ip: string }>> {
    const found = new Map<string, { at: string; ip: string }>();
    const wanted = new Set(keyIds);
    let cursor: string | undefined;
    for (let read = 0; wanted.size > 0 && read < LAST_USE_SCAN_LIMIT; read += PAGE) {
      const page = await this.logs.page(accountId, { limit: PAGE, cursor, now: this.now(), filter: (log) => wanted.has(log.keyId) });
      for (const log of page.logs) {
        if (!wanted.delete(log.keyId)) continue;
        found.set(log.keyId, { at: log.at, ip: log.ip });
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return found;
  }
}
