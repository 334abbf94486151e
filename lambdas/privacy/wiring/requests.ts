import { s3 } from '../../shared/clients/s3';
import { lazily } from '../../shared/config';
import { presigner } from '../adapters/s3-presigner';
import { requestsConfig } from '../config';
import { ConfirmationLinks } from '../domain/confirmation';
import { Downloads } from '../domain/export-steps';
import { core } from './core';
import { intakeOf } from './intake';

/** The signed-in API: intake, the session's confirmation and the archive's downloads. */
export const requestsWiring = lazily(() => {
  const config = requestsConfig();
  const ports = core(config);
  return {
    requests: ports.requests,
    intake: intakeOf(config, ports),
    links: new ConfirmationLinks(ports),
    downloads: new Downloads({ ...ports, presign: presigner(s3, config.BUCKET_EXPORTS) }),
  };
});
