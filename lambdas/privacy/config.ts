import { z } from 'zod';
import { boundName, jsonSetting, loadConfig, publicUrl } from '../shared/config';
import { DeadlinesSchema } from './deadlines-schema';

const hours = () => z.coerce.number().positive();

/** What every privacy function that opens or moves requests needs. */
const core = () => ({
  TABLE_PRIVACY_REQUESTS: boundName(),
  TABLE_ACCOUNTS: boundName(),
  STATE_MACHINE_PRIVACY_WORKFLOW_ARN: boundName(),
  MAIL_FROM: z.email(),
  PUBLIC_URL: publicUrl(),
  LINK_LIFE_HOURS: hours(),
  REMINDER_AFTER_HOURS: hours(),
  /** JSON `{ days, byCountry }`: the legal deadline, validated by zod at synth too. */
  PRIVACY_DEADLINES: jsonSetting(DeadlinesSchema),
});

/** The privacy mail intake (SQS consumer). */
export const intakeConfig = () => loadConfig(core());

const coolingOffSeconds = () => z.coerce.number().int().min(1);

/** The confirmation and cancel links' pages: they tell a deletion's terms before it is confirmed. */
export const confirmConfig = () => loadConfig({ ...core(), TABLE_LEDGER: boundName(), COOLING_OFF_SECONDS: coolingOffSeconds() });

/** The signed-in API and the link pages. */
export const requestsConfig = () => loadConfig({ ...core(), TABLE_SESSIONS: boundName(), BUCKET_EXPORTS: boundName() });

/** The workflow's tasks and the watchdog: they read every table the export covers. */
export const workflowConfig = () =>
  loadConfig({
    ...core(),
    BUCKET_EXPORTS: boundName(),
    TABLE_SESSIONS: boundName(),
    TABLE_API_KEYS: boundName(),
    TABLE_LEDGER: boundName(),
    TABLE_USAGE_LOGS: boundName(),
    TABLE_USAGE_AGGREGATES: boundName(),
    TABLE_SECURITY_EVENTS: boundName(),
    TABLE_TICKETS: boundName(),
    TABLE_TOKENS: boundName(),
    TABLE_WEBHOOK_EVENTS: boundName(),
    TABLE_AUDIT_EVENTS: boundName(),
    BUCKET_INBOUND_MAIL: boundName(),
    COOLING_OFF_SECONDS: coolingOffSeconds(),
  });

/** The watchdog: it also resumes deferred deletions once their holds are gone. */
export const watchdogConfig = () => loadConfig({ ...core(), TABLE_LEDGER: boundName(), COOLING_OFF_SECONDS: coolingOffSeconds() });
