import { z } from 'zod';
import { boundName, loadConfig } from '../shared/config';

/** The inbound-mail function's settings, validated at cold start. */
export const mailConfig = () =>
  loadConfig({
    TABLE_TICKETS: boundName(),
    BUCKET_INBOUND_MAIL: boundName(),
    QUEUE_PRIVACY_MAIL_URL: boundName(),
    MAIL_DOMAIN: z.string().min(3),
    MAIL_FROM: z.email(),
  });
