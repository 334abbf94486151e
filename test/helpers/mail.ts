import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { LocalProcess } from './local-process';

/** Sends one message to the local runtime's SMTP listener (SES receiving), as a mail client would. */
export async function sendMail(local: LocalProcess, message: Mail.Options): Promise<void> {
  const transport = createTransport({ host: '127.0.0.1', port: local.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail(message);
  } finally {
    transport.close();
  }
}

/** Sends raw RFC 5322 bytes, exactly as given (malformed headers and all), with an explicit envelope; returns the server's answer. */
export async function sendRaw(local: LocalProcess, raw: Buffer | string, envelope: { from: string; to: string[] }): Promise<string> {
  const transport = createTransport({ host: '127.0.0.1', port: local.ports.smtp, secure: false, ignoreTLS: true });
  try {
    return (await transport.sendMail({ envelope, raw })).response;
  } finally {
    transport.close();
  }
}
