/**
 * Whether an API key's secret is accepted at `now` (ISO time): active, or rolled and still inside its
 * grace period. One rule for the gateway (which admits by it) and the accounts context (which caps
 * live keys by it), so a key counts against the cap exactly while it works.
 */
export function keyWorksAt<K extends { status: string; graceUntil?: string }>(
  key: K,
  now: string,
): key is K & { status: 'active' | 'rolling' } {
  return key.status === 'active' || (key.status === 'rolling' && key.graceUntil !== undefined && key.graceUntil > now);
}
