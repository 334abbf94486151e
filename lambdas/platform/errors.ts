/** The platform context raises only the shared errors (`lambdas/shared/errors.ts`): NotFoundError for `$default`. */
export { NotFoundError } from '../shared/errors';
