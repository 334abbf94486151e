import { SESv2Client } from '@aws-sdk/client-sesv2';

/** The SES v2 client, created once per container. */
export const ses = new SESv2Client({});
