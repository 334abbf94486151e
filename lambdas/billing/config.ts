import { boundName, loadConfig } from '../shared/config';

/** The balance and ledger reader's settings. */
export const balanceConfig = () => loadConfig({ TABLE_LEDGER: boundName(), TABLE_SESSIONS: boundName() });
