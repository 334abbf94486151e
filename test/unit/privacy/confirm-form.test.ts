import { formOf } from '../../../lambdas/privacy/handlers/confirm';

const request = 'prq_0123456789abcdef01234567';
const token = 'a'.repeat(32);
const post = (body: string, contentType: string) => () =>
  formOf({ body, isBase64Encoded: false, headers: { 'content-type': contentType } });

describe("the confirmation page's form", () => {
  it('reads the form or the same fields as JSON', () => {
    expect(post(`request=${request}&token=${token}`, 'application/x-www-form-urlencoded')()).toEqual({ request, token });
    expect(post(JSON.stringify({ request, token }), 'application/json')()).toEqual({ request, token });
  });

  it('refuses a field given twice, as a form field or a JSON key (the last would win here, the first elsewhere)', () => {
    expect(post(`request=${request}&token=${token}&request=prq_ffffffffffffffffffffffff`, 'application/x-www-form-urlencoded')).toThrow(
      expect.objectContaining({ code: 'duplicate_key', message: expect.stringMatching(/^body\.request: /) }),
    );
    expect(post(`{"request":"${request}","token":"${token}","token":"${'b'.repeat(32)}"}`, 'application/json')).toThrow(
      expect.objectContaining({ code: 'duplicate_key', message: expect.stringMatching(/^body\.token: /) }),
    );
  });
});
