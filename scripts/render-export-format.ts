import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderExportFormat } from '../lambdas/privacy/export-schema';

// npm run docs:export-format — regenerates docs/export-format.md from the export's zod types.
writeFileSync(path.join(__dirname, '..', 'docs', 'export-format.md'), renderExportFormat());
