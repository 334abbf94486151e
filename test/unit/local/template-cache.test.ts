import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Template } from '../../../local/intrinsics';
import { cachedTemplate } from '../../../local/template-cache';

describe('the synthesized-template cache', () => {
  let root: string;
  let cacheDir: string;
  let syntheses: number;
  const synthesize = (): Template => {
    syntheses += 1;
    return { Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { n: syntheses } } } } as unknown as Template;
  };
  const template = (context: Record<string, unknown> = {}) => cachedTemplate(context, synthesize, { root, cacheDir });

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'omnapi-template-cache-'));
    cacheDir = path.join(root, 'cache');
    fs.mkdirSync(path.join(root, 'lib', 'constructs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'lib', 'constructs', 'data.ts'), 'export const tables = 1;');
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{}');
    syntheses = 0;
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    delete process.env.OMNAPI_TEMPLATE_CACHE;
  });

  it('synthesizes once for the same context and sources, and returns that template again', () => {
    const first = template({ stage: 'dev' });
    expect(template({ stage: 'dev' })).toEqual(first);
    expect(syntheses).toBe(1);
  });

  it('synthesizes again when the context, a source file, a new file or the lockfile changes', () => {
    template({ stage: 'dev' });
    template({ stage: 'prod' });
    expect(syntheses).toBe(2);
    fs.writeFileSync(path.join(root, 'lib', 'constructs', 'data.ts'), 'export const tables = 2;');
    template({ stage: 'dev' });
    expect(syntheses).toBe(3);
    fs.writeFileSync(path.join(root, 'lib', 'constructs', 'api.ts'), 'export {};');
    template({ stage: 'dev' });
    expect(syntheses).toBe(4);
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    template({ stage: 'dev' });
    expect(syntheses).toBe(5);
  });

  it('ignores build outputs beside the sources', () => {
    template();
    fs.mkdirSync(path.join(root, 'console', 'dist'), { recursive: true });
    fs.writeFileSync(path.join(root, 'console', 'dist', 'index.html'), '<html>');
    template();
    expect(syntheses).toBe(1);
  });

  it('synthesizes every time with OMNAPI_TEMPLATE_CACHE=off', () => {
    process.env.OMNAPI_TEMPLATE_CACHE = 'off';
    template();
    template();
    expect(syntheses).toBe(2);
  });

  it('synthesizes again over a torn cache file', () => {
    template();
    for (const name of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, name), '{"Resour');
    expect(template()).toEqual(expect.objectContaining({ Resources: expect.any(Object) }));
    expect(syntheses).toBe(2);
  });

  it('synthesizes a context once when runtimes started at the same moment all miss the cache', async () => {
    // Three processes, as three e2e files starting their runtimes: each synthesis takes a second and leaves a mark.
    const marks = path.join(root, 'syntheses');
    const child = `
      const { cachedTemplate } = require(${JSON.stringify(path.resolve(__dirname, '../../../local/template-cache.ts'))});
      const template = cachedTemplate({ stage: 'dev' }, () => {
        require('node:fs').appendFileSync(${JSON.stringify(marks)}, process.pid + '\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
        return { Resources: { By: { Type: 'AWS::SQS::Queue', Properties: { pid: process.pid } } } };
      }, { root: ${JSON.stringify(root)}, cacheDir: ${JSON.stringify(cacheDir)} });
      process.stdout.write(JSON.stringify(template));
    `;
    const run = () =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', '-e', child],
          { cwd: path.resolve(__dirname, '../../..') },
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
    const templates = await Promise.all([run(), run(), run()]);
    expect(fs.readFileSync(marks, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(new Set(templates).size).toBe(1);
  }, 60_000);
});
