import { accountRoutes } from '../lambdas/accounts/routes';
import { billingRoutes } from '../lambdas/billing/routes';
import { meteringRoutes } from '../lambdas/metering/routes';
import { noticeRoutes } from '../lambdas/notices/routes';
import { platformRoutes } from '../lambdas/platform/routes';
import { privacyRoutes } from '../lambdas/privacy/routes';
import type { RouteManifest } from '../lambdas/shared/routes';

/** Every context's route manifest, by context: the OpenAPI document and the route tests read them all. */
export const ROUTE_MANIFESTS: Record<string, RouteManifest> = {
  platform: platformRoutes,
  accounts: accountRoutes,
  metering: meteringRoutes,
  billing: billingRoutes,
  privacy: privacyRoutes,
  notices: noticeRoutes,
};
