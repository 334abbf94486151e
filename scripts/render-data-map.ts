import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderDataMap } from '../lambdas/shared/data-map';

writeFileSync(path.join(__dirname, '..', 'docs', 'data-map.md'), renderDataMap());
