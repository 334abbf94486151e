import { loadSettings, mailSettings, tableSettings } from '../shared/config';

/** Every variable an accounts function can be bound to, each with its one validator. */
const SETTINGS = () => ({
  ...mailSettings(),
  ...tableSettings('accounts', 'sessions', 'tokens', 'apiKeys', 'securityEvents', 'usageLogs', 'auditEvents'),
});
type Setting = keyof ReturnType<typeof SETTINGS>;
const settings = <K extends Setting>(...names: K[]) => loadSettings(SETTINGS(), names);

/** Sign-in, password reset and the account's own page: every port of the account service. */
export const signInConfig = () =>
  settings('TABLE_ACCOUNTS', 'TABLE_SESSIONS', 'TABLE_TOKENS', 'TABLE_SECURITY_EVENTS', 'MAIL_FROM', 'PUBLIC_URL');

/** Sign-up and the resent verification: no sessions yet. */
export const signupConfig = () => settings('TABLE_ACCOUNTS', 'TABLE_TOKENS', 'TABLE_SECURITY_EVENTS', 'MAIL_FROM', 'PUBLIC_URL');

/** The mailed links' landing (verification, email change, sign-in unlock): it mails no link of its own. */
export const verifyConfig = () => settings('TABLE_ACCOUNTS', 'TABLE_TOKENS', 'TABLE_SECURITY_EVENTS', 'MAIL_FROM');

/** The password change of a signed-in holder. */
export const passwordConfig = () => settings('TABLE_ACCOUNTS', 'TABLE_SESSIONS', 'TABLE_SECURITY_EVENTS', 'MAIL_FROM');

/** The holder's preferences. */
export const preferencesConfig = () => settings('TABLE_ACCOUNTS');

/** Sessions, sign-out and the security events. */
export const sessionsConfig = () => settings('TABLE_SESSIONS', 'TABLE_SECURITY_EVENTS');

/** The holder's own audit stream beside the security events. */
export const activityConfig = () => settings('TABLE_SECURITY_EVENTS', 'TABLE_AUDIT_EVENTS');

/** API keys, with their last uses from the call logs. */
export const keysConfig = () => settings('TABLE_API_KEYS', 'TABLE_ACCOUNTS', 'TABLE_SECURITY_EVENTS', 'TABLE_USAGE_LOGS');
