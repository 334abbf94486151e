import { z } from 'zod';
import { boundName, jsonSetting, loadSettings, mailSettings, tableSettings } from '../shared/config';
import { DeadlinesSchema } from './deadlines-schema';

const hours = () => z.coerce.number().positive();

/** Every variable a privacy function can be bound to, each with its one validator. */
const SETTINGS = () => ({
  ...mailSettings(),
  ...tableSettings(
    'privacyRequests',
    'accounts',
    'sessions',
    'tokens',
    'apiKeys',
    'ledger',
    'usageLogs',
    'usageAggregates',
    'webhookEvents',
    'securityEvents',
    'tickets',
    'auditEvents',
    'notices',
    'suppressions',
  ),
  BUCKET_EXPORTS: boundName(),
  BUCKET_INBOUND_MAIL: boundName(),
  STATE_MACHINE_PRIVACY_WORKFLOW_ARN: boundName(),
  LINK_LIFE_HOURS: hours(),
  REMINDER_AFTER_HOURS: hours(),
  /** JSON `{ days, byCountry }`: the legal deadline, validated by zod at synth too. */
  PRIVACY_DEADLINES: jsonSetting(DeadlinesSchema),
  COOLING_OFF_SECONDS: z.coerce.number().int().min(1),
});
type Setting = keyof ReturnType<typeof SETTINGS>;
const settings = <K extends Setting>(...names: K[]) => loadSettings(SETTINGS(), names);

/** What every privacy function opens or moves requests with. */
const CORE = [
  'TABLE_PRIVACY_REQUESTS',
  'TABLE_ACCOUNTS',
  'STATE_MACHINE_PRIVACY_WORKFLOW_ARN',
  'MAIL_FROM',
  'PUBLIC_URL',
  'LINK_LIFE_HOURS',
  'REMINDER_AFTER_HOURS',
  'PRIVACY_DEADLINES',
] as const;
/** What every privacy function is bound to. */
export type CoreConfig = ReturnType<typeof coreConfig>;
const coreConfig = () => settings(...CORE);

/** The privacy mail intake (SQS consumer). */
export const intakeConfig = () => settings(...CORE, 'TABLE_LEDGER', 'COOLING_OFF_SECONDS');

/** The confirmation and cancel links' pages: they tell a deletion's terms before it is confirmed. */
export const confirmConfig = () => settings(...CORE, 'TABLE_LEDGER', 'COOLING_OFF_SECONDS');

/** The signed-in API and the download link. */
export const requestsConfig = () => settings(...CORE, 'BUCKET_EXPORTS');

/** The watchdog: it also resumes deferred deletions once their holds are gone. */
export const watchdogConfig = () => settings(...CORE, 'TABLE_LEDGER', 'COOLING_OFF_SECONDS');

/** The workflow's tasks: they read and erase every table the data map names. */
export const workflowConfig = () =>
  settings(
    ...CORE,
    'TABLE_SESSIONS',
    'TABLE_TOKENS',
    'TABLE_API_KEYS',
    'TABLE_LEDGER',
    'TABLE_USAGE_LOGS',
    'TABLE_USAGE_AGGREGATES',
    'TABLE_WEBHOOK_EVENTS',
    'TABLE_SECURITY_EVENTS',
    'TABLE_TICKETS',
    'TABLE_AUDIT_EVENTS',
    'TABLE_NOTICES',
    'TABLE_SUPPRESSIONS',
    'BUCKET_EXPORTS',
    'BUCKET_INBOUND_MAIL',
    'COOLING_OFF_SECONDS',
  );
