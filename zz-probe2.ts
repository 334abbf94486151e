import { Attack } from './bench/attack';
const a = new Attack({ api: 'http://127.0.0.1:4320', dataDir: '/tmp/hB5-data', webhookSecret: 'whsec_hB5' });
(async () => {
  const A = await a.account('lc');
  const body = JSON.stringify({ email: A.email, password: 'correct horse battery staple' });
  for (const [ct, origin, site] of [
    ['text/plain', 'https://evil.example', 'cross-site'],
    [undefined, 'https://evil.example', 'cross-site'],
    ['application/json', 'https://evil.example', 'cross-site'],
    ['application/x-www-form-urlencoded', 'https://evil.example', 'cross-site'],
  ] as const) {
    const r = await a.request('POST', '/v1/auth/login', { body, headers: { ...(ct ? { 'content-type': ct } : {}), origin, 'sec-fetch-site': site } });
    console.log(ct, r.status, r.headers['set-cookie'] ? 'SET-COOKIE' : '-', r.body.slice(0, 120));
  }
  // signup / logout / password reset request cross-site
  for (const [route, b] of [['/v1/auth/logout', '{}'], ['/v1/auth/password-reset', JSON.stringify({ email: A.email })], ['/v1/auth/signup', JSON.stringify({ name: 'x', email: 'zz'+Date.now()+'@example.org', password: 'correct horse battery staple' })]] as const) {
    const r = await a.request('POST', route, { body: b, headers: { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', cookie: `omn_session=${A.token}` } });
    console.log(route, r.status, r.body.slice(0, 120));
  }
})();
