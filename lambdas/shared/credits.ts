/**
 * Credits and the balance item. Shared because two contexts write the one balance item: metering
 * debits it in the admit write on the hot path, billing credits it with every ledger entry.
 */

/** 1 credit = 1,000,000 micro-credits; money is integers all the way through. */
export const MICRO_PER_CREDIT = 1_000_000;

/** The balance item every account has in the ledger table, once it has been credited. */
export const balanceKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'BALANCE' });

/** Parses a decimal credit amount ("12.5") into exact micro-credits, refusing anything finer. */
export function creditsToMicro(amount: string): number {
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,6}))?$/.exec(amount.trim());
  if (!match) throw new Error(`Not a credit amount with at most 6 decimals: ${amount}`);
  const [, sign, whole, fraction = ''] = match;
  const micro = Number(whole) * MICRO_PER_CREDIT + Number(fraction.padEnd(6, '0'));
  return sign ? -micro : micro;
}

/** Formats micro-credits as a decimal credit string, exactly. */
export function microToCredits(micro: number): string {
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / MICRO_PER_CREDIT);
  const fraction = String(abs % MICRO_PER_CREDIT).padStart(6, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
