import { Attack } from './bench/attack';
const a = new Attack({ api: 'http://127.0.0.1:4320', dataDir: '/tmp/hB5-data', webhookSecret: 'whsec_hB5' });
(async () => {
  const A = await a.account('kr');
  const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => a.request('POST', '/v1/keys', { body: JSON.stringify({ name: `k${i}` }), headers: { authorization: `Bearer ${A.token}`, 'content-type': 'application/json' } })));
  const count: Record<number, number> = {};
  for (const r of rs) count[r.status] = (count[r.status] ?? 0) + 1;
  console.log(count, rs.find((r) => r.status >= 400)?.body.slice(0, 150));
  const list = (await a.request('GET', '/v1/keys', { headers: { authorization: `Bearer ${A.token}` } })).json();
  console.log('live', list.keys.filter((k: any) => k.status !== 'revoked').length);
})();
