import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { buildApp } from '../../lib/app';
import german from '../../lambdas/privacy/messages/de.json';
import { CATALOGUE_FILES } from '../../lambdas/privacy/messages/locales';
import { PDF_READER_FILES } from '../../lambdas/mail/adapters/pdf-text';

/** The one synth that bundles every function for real, with esbuild, and validates the template, as `cdk deploy` would. */
describe('function bundling', () => {
  // A timeout of its own: the synth runs for minutes on a loaded machine, and the PDF check after it awaits (a synchronous
  // test is never timed out; an async one is, once it first awaits).
  it('bundles each handler into one minified file with the AWS SDK inside and a source map beside it', async () => {
    const { app, stack } = buildApp();
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, any> };
    // The platform's own functions: CDK's deploy-time handlers (the console's asset deployment) ship their own code.
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['omnapi:entry']);
    expect(functions.length).toBeGreaterThanOrEqual(4);

    const assetDirOf = (fn: any) => path.join(assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    const readsLetters: string[] = [];
    for (const fn of functions) {
      const assetDir = assetDirOf(fn);
      const file = path.join(assetDir, 'index.js');
      const code = fs.readFileSync(file, 'utf8');
      expect(fs.existsSync(path.join(assetDir, 'index.js.map'))).toBe(true);
      // Only the optional CRT signer may stay external; every client and its middleware is inside.
      expect(/require\("@aws-sdk\/(client|lib)-/.test(code)).toBe(false);
      // The privacy workflow is the largest: the letter vocabularies of 41 languages (it reads corrections
      // and objections), the archive writer and Stripe. Its replies' catalogues are beside it, not in it.
      expect({ entry: fn.Metadata['omnapi:entry'], bytes: fs.statSync(file).size < 3_250_000 }).toEqual({
        entry: fn.Metadata['omnapi:entry'],
        bytes: true,
      });
      // Every privacy function writes replies: each language but English is a file beside its bundle, read when needed.
      if (fn.Metadata['omnapi:entry'].startsWith('lambdas/privacy/')) {
        expect(CATALOGUE_FILES.filter((file) => !fs.existsSync(path.join(assetDir, path.basename(file))))).toEqual([]);
        expect(code.includes(german['ack.subject'])).toBe(false);
      }
      // A field only the letter vocabularies have: in the bundle only when the function reads letters.
      if (code.includes('correctionHeadings')) readsLetters.push(fn.Metadata['omnapi:entry']);
    }
    expect(readsLetters.sort()).toEqual(
      ['confirm', 'mail-intake', 'requests', 'workflow'].map((name) => `lambdas/privacy/handlers/${name}.ts`),
    );
    const inbound = functions.find((fn) => fn.Metadata['omnapi:entry'] === 'lambdas/mail/handlers/inbound.ts');
    const inboundCode = fs.readFileSync(path.join(assetDirOf(inbound), 'index.js'), 'utf8');
    expect(inboundCode.includes('"SendEmail"')).toBe(true);
    expect(inboundCode.includes('"GetObject"')).toBe(true);
    // The inbound function reads a letter sent as a PDF with the worker and pdf.js beside its bundle: both are there, and they read one.
    const inboundDir = assetDirOf(inbound);
    expect(PDF_READER_FILES.filter((file) => !fs.existsSync(path.join(inboundDir, path.basename(file))))).toEqual([]);
    const letter = await PDFDocument.create();
    letter.addPage().drawText('Please delete my account.', { font: await letter.embedFont(StandardFonts.Helvetica) });
    const bytes = await letter.save();
    const read = await new Promise((resolve, reject) => {
      const worker = new Worker(path.join(inboundDir, 'pdf-text-worker.mjs'), {
        workerData: { bytes, pdfjs: path.join(inboundDir, 'pdfjs.mjs'), maxPages: 1, maxChars: 1000 },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(read).toContain('Please delete my account.');

    // CDK's built-in CloudFormation schema validation ran (every other synth of the tests skips it) and found
    // nothing: a finding, which `cdk synth` only prints as a warning, fails here.
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string; description: string }[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.ruleName}: ${v.description}`))).toEqual([]);
  }, 1_200_000);
});
