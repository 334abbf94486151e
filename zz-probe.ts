import { Attack } from './bench/attack';
import { checkoutCompleted, chargeRefunded, sign } from './scripts/ops/stripe-fixtures';
import { DEFAULT_PACKS } from './lambdas/billing/packs';
const starter = DEFAULT_PACKS.starter!;
const SECRET = 'whsec_hB5';
const a = new Attack({ api: 'http://127.0.0.1:4320', dataDir: '/tmp/hB5-data', webhookSecret: SECRET });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const j = (x: any) => ({ ...x, json: undefined, headers: undefined, body: x.body.slice(0, 200) });
async function hook(event: object, opts: { body?: (p: string) => string | Buffer; ct?: string } = {}) {
  const payload = JSON.stringify(event);
  const body = opts.body ? opts.body(payload) : payload;
  return a.request('POST', '/v1/webhooks/stripe', { body, headers: { 'content-type': opts.ct ?? 'application/json', 'stripe-signature': sign(typeof body === 'string' ? body : body.toString('utf8'), SECRET) } });
}
(async () => {
  const A = await a.account('pa');
  const B = await a.account('pb');
  console.log('accounts', A.accountId, B.accountId);
  const kA = (await a.request('POST', '/v1/keys', { body: JSON.stringify({ name: 'x' }), headers: { ...bearer(A.token), 'content-type': 'application/json' } })).json();
  for (const [m, r] of [['DELETE', `/v1/keys/${kA.keyId}`], ['POST', `/v1/keys/${kA.keyId}/roll`]] as const) {
    console.log('B on A key', m, r, j(await a.request(m, r, { body: '{}', headers: { ...bearer(B.token), 'content-type': 'application/json' } })).status);
  }
  const sessA = (await a.request('GET', '/v1/account/sessions', { headers: bearer(A.token) })).json();
  const sid = (sessA.sessions ?? sessA.items ?? [])[0]?.sessionId ?? (sessA.sessions ?? [])[0]?.id;
  console.log('A sessions', JSON.stringify(sessA).slice(0, 200));
  if (sid) console.log('B revokes A session', (await a.request('DELETE', `/v1/account/sessions/${sid}`, { headers: bearer(B.token) })).status);
  // metadata pointing at another account
  const ev = checkoutCompleted({ ...A, name: 'A' }, 'starter', starter);
  (ev.data.object as any).metadata.accountId = B.accountId;
  console.log('mismatch', j(await hook(ev)));
  // BOM
  console.log('BOM', j(await hook(checkoutCompleted({ ...A, name: 'A' }, 'starter', starter), { body: (p) => `\uFEFF${p}` })));
  console.log('utf16 ct', j(await hook(checkoutCompleted({ ...A, name: 'A' }, 'starter', starter), { ct: 'application/json; charset=utf-16' })));
  console.log('text/plain ct', j(await hook({ id: 'evt_ign_1', type: 'invoice.paid', data: { object: {} } }, { ct: 'text/plain' })));
  console.log('no ct', j(await a.request('POST', '/v1/webhooks/stripe', { body: '{}', headers: { 'stripe-signature': sign('{}', SECRET) } })));
  console.log('array object', j(await hook({ id: 'evt_arr', type: 'charge.refunded', data: { object: [1, 2] } })));
  console.log('huge refund', j(await hook({ id: 'evt_huge', type: 'charge.refunded', data: { object: { id: 'ch_1', payment_intent: 'pi_zz', amount_refunded: 1e300, currency: 'usd' } } })));
  console.log('neg refund', j(await hook({ id: 'evt_neg', type: 'charge.refunded', data: { object: { id: 'ch_1', payment_intent: 'pi_zz', amount_refunded: -5, currency: 'usd' } } })));
  console.log('str amount', j(await hook({ id: 'evt_str', type: 'charge.refunded', data: { object: { id: 'ch_1', payment_intent: 'pi_zz', amount_refunded: '500', currency: 'usd' } } })));
  console.log('proto', j(await hook(JSON.parse('{"id":"evt_proto","type":"checkout.session.completed","data":{"object":{"__proto__":{"mode":"payment"},"mode":"payment","payment_status":"paid"}}}'))));
  // timing: unknown vs wrong password
  const t = async (email: string) => { const s = Date.now(); const r = await a.request('POST', '/v1/auth/login', { body: JSON.stringify({ email, password: 'wrong password here' }), headers: { 'content-type': 'application/json' }, from: `127.9.${Math.floor(Math.random()*200)}.${Math.floor(Math.random()*200)}` }); return [r.status, Date.now() - s]; };
  for (let i = 0; i < 3; i++) console.log('unknown', await t(`nobody${i}-${Date.now()}@example.org`), 'wrong', await t(B.email));
  console.log('errors', a.errors());
})();
