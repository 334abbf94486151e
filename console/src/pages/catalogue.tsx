import { api, call, formatDecimal, formatMoney, formatNumber } from '../api/client';
import { ErrorNotice, Loading, Page, TableScroll, useLoad } from '../components/ui';

export function Catalogue() {
  const catalogue = useLoad(() => call(api.GET('/v1/catalogue')));
  const data = catalogue.data;
  return (
    <Page title="Products and prices" intro="What you can call, what each call costs in credits, and the limits of each plan.">
      <ErrorNotice error={catalogue.error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <h2>Products</h2>
          <TableScroll label="Products and their price per call">
            <table>
              <caption>Products and their price per call</caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Path</th>
                  <th scope="col">Credits per call</th>
                </tr>
              </thead>
              <tbody>
                {data.products.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{p.id}</th>
                    <td class="mono">/v1/api/{p.id}/…</td>
                    <td>{formatDecimal(p.pricePerCall)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <h2>Plans</h2>
          <TableScroll label="Plans and their rate limits">
            <table>
              <caption>Plans and their rate limits</caption>
              <thead>
                <tr>
                  <th scope="col">Plan</th>
                  <th scope="col">Calls per minute</th>
                  <th scope="col">Calls per second, on average</th>
                </tr>
              </thead>
              <tbody>
                {data.plans.map((plan) => (
                  <tr key={plan.id}>
                    <th scope="row">{plan.id}</th>
                    <td>{formatNumber(plan.requestsPerMinute)}</td>
                    <td>{formatNumber(plan.requestsPerMinute / 60, { maximumFractionDigits: 1 })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <h2>Credit packs</h2>
          <ul class="packs">
            {data.packs.map((pack) => (
              <li key={pack.id} class="card">
                <h3>{pack.name}</h3>
                <p>
                  {formatNumber(pack.credits)} credits for {formatMoney(pack.priceMinor, pack.currency)}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}
