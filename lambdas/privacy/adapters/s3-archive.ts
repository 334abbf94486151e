import { PassThrough, Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import archiver from 'archiver';
import type { ArchiveSink } from '../domain/export';

/**
 * A ZIP archive streamed straight into S3 (multipart upload, 5 MiB parts): entries are produced lazily,
 * one after the other, as the upload consumes them, so memory stays at three parts (two uploading, one
 * filling) whatever the size: a slow upload holds back the reads (test/unit/privacy/export-streaming.test.ts).
 */
export class S3ArchiveSink implements ArchiveSink {
  private readonly archive = archiver('zip', { zlib: { level: 6 } });
  private readonly upload: Upload;
  private failure?: Error;

  constructor(client: S3Client, bucket: string, key: string) {
    this.archive.on('error', (error) => (this.failure ??= error));
    this.archive.on('warning', (error) => (this.failure ??= error));
    // archiver emits readable-stream's streams; the upload wants Node's own.
    const body = new PassThrough();
    this.archive.pipe(body);
    this.upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: 'application/zip' },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
    });
  }

  add(name: string, content: AsyncIterable<string>): void {
    const source = Readable.from(content);
    source.on('error', (error) => {
      this.failure ??= error;
      this.archive.abort();
    });
    this.archive.append(source, { name, date: new Date() });
  }

  async finish(): Promise<{ bytes: number }> {
    const uploaded = this.upload.done();
    await this.archive.finalize().catch((error: Error) => (this.failure ??= error));
    try {
      await uploaded;
    } catch (error) {
      throw this.failure ?? error;
    }
    if (this.failure) throw this.failure;
    return { bytes: this.archive.pointer() };
  }
}
