import { z } from 'zod';
import { loadConfig } from '../shared/config';

/** The inbound-mail function's settings, validated at cold start. */
export const mailConfig = () =>
  loadConfig({
    TABLE_TICKETS: z.string().min(1),
    BUCKET_INBOUND_MAIL: z.string().min(1),
    MAIL_DOMAIN: z.string().min(3),
    MAIL_FROM: z.email(),
  });
