import type { Template } from 'aws-cdk-lib/assertions';
import { TABLE_METADATA_KEY } from '../../lib/constructs/data';
import { synth } from '../helpers/synth';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };

describe('Accounts construct', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  beforeAll(() => {
    template = synth().template;
    resources = template.toJSON().Resources;
  });

  const functionFor = (entry: string) =>
    Object.entries(resources).find(([, r]) => r.Metadata?.['omnapi:entry'] === `lambdas/accounts/handlers/${entry}.ts`)!;
  const tableId = (name: string) => Object.entries(resources).find(([, r]) => r.Metadata?.[TABLE_METADATA_KEY] === name)![0];
  /** Every table the function's role may touch, by data-map name. */
  const tablesReachedBy = (entry: string): string[] => {
    const [, fn] = functionFor(entry);
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === roleId),
    );
    const text = JSON.stringify(policies);
    return ['accounts', 'sessions', 'tokens', 'apiKeys', 'securityEvents', 'ledger', 'usageLogs', 'tickets', 'privacyRequests'].filter(
      (t) => text.includes(tableId(t)),
    );
  };

  it.each([
    ['auth-signup', ['accounts', 'tokens', 'securityEvents']],
    // The tokens table for the single-use "was this you?" link mailed when an email reaches its limit.
    ['auth-login', ['accounts', 'sessions', 'tokens', 'securityEvents']],
    // The call logs, read: each key's last use.
    ['keys', ['accounts', 'sessions', 'apiKeys', 'securityEvents', 'usageLogs']],
    // Sessions, to sign every one out when a password is reset.
    ['auth-password-reset', ['accounts', 'sessions', 'tokens', 'securityEvents']],
    ['account-security-events', ['sessions', 'securityEvents']],
  ])('grants %s only the tables it uses', (entry, tables) => {
    expect(tablesReachedBy(entry).sort()).toEqual([...tables].sort());
  });

  it('gives password-hashing functions the memory scrypt needs', () => {
    // account and keys check the current password (an email change; a key from an older session).
    for (const entry of ['auth-signup', 'auth-login', 'account-password', 'account', 'keys']) {
      expect(functionFor(entry)[1].Properties.MemorySize).toBe(1024);
    }
  });

  it('lets only mail-sending functions send mail', () => {
    const senders = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.PolicyDocument).includes('ses:SendEmail'))
      .map(([id]) => id);
    const owners = senders.map((id) => id.replace(/(ServiceRole)?DefaultPolicy.*$/, '').replace(/Role$/, '')).sort();
    expect(owners).toEqual(
      [
        // Accounts: verification, email-change and attack notices, password change and reset.
        'AccountsAccount',
        'AccountsAccountPassword',
        'AccountsAuthLogin',
        'AccountsAuthPasswordReset',
        'AccountsAuthSignup',
        'AccountsAuthVerify',
        // Billing receipts, low-balance notices, support acknowledgements.
        'BillingStripeWebhook',
        'MailInboundHandler',
        'MeteringUsageWorker',
        // Technical notices.
        'NoticesNoticeSender',
        // Privacy: replies, confirmation links, exports, reminders.
        'PrivacyConfirm',
        'PrivacyMailIntake',
        'PrivacyRequests',
        'PrivacyWatchdog',
        'PrivacyWorkflowSteps',
      ].sort(),
    );
    expect(senders.some((id) => id.startsWith('AccountsKeys'))).toBe(false);
  });
});
