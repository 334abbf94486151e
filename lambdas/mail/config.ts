import { boundName, loadSettings, mailSettings, tableSettings } from '../shared/config';

/** Every variable a mail function can be bound to, each with its one validator. */
const SETTINGS = () => ({
  ...mailSettings(),
  ...tableSettings('tickets', 'suppressions'),
  BUCKET_INBOUND_MAIL: boundName(),
  QUEUE_PRIVACY_MAIL_URL: boundName(),
});
type Setting = keyof ReturnType<typeof SETTINGS>;
const settings = <K extends Setting>(...names: K[]) => loadSettings(SETTINGS(), names);

/** The inbound-mail function (SES receipt rule). */
export const inboundConfig = () => settings('TABLE_TICKETS', 'BUCKET_INBOUND_MAIL', 'QUEUE_PRIVACY_MAIL_URL', 'MAIL_DOMAIN', 'MAIL_FROM');

/** The bounce and complaint reports' function. */
export const feedbackConfig = () => settings('TABLE_SUPPRESSIONS');
