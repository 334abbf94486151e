import type { SESEventRecord } from 'aws-lambda';

/** An SES receipt record for a message from `source` to privacy@, every verdict passed: what the inbound function is given. */
export const sesRecord = (source: string): SESEventRecord =>
  ({
    eventSource: 'aws:ses',
    eventVersion: '1.0',
    ses: {
      mail: {
        timestamp: '2026-03-01T10:00:00.000Z',
        source,
        messageId: 'm1',
        destination: ['privacy@omnapi.com'],
        headersTruncated: false,
        headers: [],
        commonHeaders: {},
      },
      receipt: {
        recipients: ['privacy@omnapi.com'],
        spfVerdict: { status: 'PASS' },
        dkimVerdict: { status: 'PASS' },
        dmarcVerdict: { status: 'PASS' },
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: 'PASS' },
      },
    },
  }) as unknown as SESEventRecord;
