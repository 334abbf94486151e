import { OpenRequestBody } from '../../../lambdas/privacy/schemas';

describe('POST /v1/privacy/requests body (found by trying it as an attacker would)', () => {
  it.each([
    [{ type: 'deletion', password: '' }, 'an empty password'],
    [{ type: 'deletion', password: 'a'.repeat(1001) }, 'an oversized password (scrypt on megabytes)'],
    [{ type: 'deletion', password: 123 }, 'a password that is not text'],
    [{ type: 'access', password: 'correct horse battery staple' }, 'a password on a request it cannot confirm'],
    [{ type: 'correction', details: 'x'.repeat(5_001) }, 'oversized details'],
  ] as [unknown, string][])('refuses %j: %s', (body, _why) => {
    expect(OpenRequestBody.safeParse(body).success).toBe(false);
  });

  it('takes a deletion with its password, and any request without one', () => {
    expect(OpenRequestBody.safeParse({ type: 'deletion', password: 'correct horse battery staple' }).success).toBe(true);
    expect(OpenRequestBody.safeParse({ type: 'correction', details: 'company: Acme' }).success).toBe(true);
  });
});
