import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderOpenApi } from '../lib/openapi';

// npm run docs:openapi — regenerates docs/openapi.json from the route manifests.
writeFileSync(path.join(__dirname, '..', 'docs', 'openapi.json'), renderOpenApi());
