/**
 * `('TABLE', 'usageLogs')` → `TABLE_USAGE_LOGS`: the one naming rule for resource environment variables,
 * shared by the CDK function construct that sets them and the runtime config that reads them.
 */
export function envName(kind: string, name: string): string {
  return `${kind}_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** `('TABLE', 'usageLogs')` → `TableUsageLogs`: stack output names follow the variable names (`npm run ops` reads them). */
export function outputName(kind: string, name: string): string {
  return envName(kind, name)
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
}
