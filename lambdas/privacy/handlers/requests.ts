import { dynamoDbSessionLookup, sessionAuthenticator } from '../../shared/auth/session';
import { dynamo } from '../../shared/clients/dynamodb';
import { s3 } from '../../shared/clients/s3';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { presigner } from '../adapters/s3-archive';
import { requestsConfig } from '../config';
import { requestView } from '../domain/model';
import { RequestNotFoundError } from '../errors';
import { privacyRoutes } from '../routes';
import { intakeOf, lifecycleOf, privacyDeps } from '../wiring';
import { sessionMayConfirm } from '../domain/session-confirmation';

const config = requestsConfig();
const deps = privacyDeps(config);
const intake = intakeOf(deps);
const lifecycle = lifecycleOf(deps, { presign: presigner(s3, config.BUCKET_EXPORTS) });
const authenticate = sessionAuthenticator(dynamoDbSessionLookup(dynamo, config.TABLE_SESSIONS));

/** The caller's own request, or 404 — exactly as for a request that does not exist. */
async function ownRequest(accountId: string, requestId: string) {
  const request = await deps.requests.get(requestId);
  if (!request || request.accountId !== accountId) throw new RequestNotFoundError();
  return request;
}

/** Privacy requests of the signed-in holder, and the mailed download link. */
export const handler = httpRoutes(
  route(
    privacyRoutes.open,
    async (event) => {
      const { type, details, password } = event.input.body;
      const { request, joined, confirmedByPassword } = await intake.fromApi(event.principal.accountId, type, details, password);
      const confirmable = sessionMayConfirm(request, { joined, withPassword: confirmedByPassword });
      const current = confirmable ? ((await lifecycle.confirmBySession(request.requestId, confirmedByPassword)) ?? request) : request;
      event.audit = {
        targets: [{ type: 'privacy_request', id: current.requestId }],
        change: { after: { type: current.type, status: current.status } },
      };
      return json(201, { ...requestView(current), joined });
    },
    { authenticate },
  ),
  route(
    privacyRoutes.list,
    async (event) => json(200, { requests: (await deps.requests.listByAccount(event.principal.accountId)).map(requestView) }),
    { authenticate },
  ),
  route(
    privacyRoutes.get,
    async (event) => {
      const request = await ownRequest(event.principal.accountId, event.input.path.id);
      return json(200, { ...requestView(request), download: await lifecycle.downloadUrl(request) });
    },
    { authenticate },
  ),
  route(privacyRoutes.download, async (event) => ({
    statusCode: 302,
    headers: { location: await lifecycle.downloadByLink(event.input.path.id, event.input.query.token), 'referrer-policy': 'no-referrer' },
    body: '',
  })),
);
