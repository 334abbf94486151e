import { S3Client } from '@aws-sdk/client-s3';
import { presigner } from '../../../lambdas/privacy/adapters/s3-presigner';
import { archiveFileName } from '../../../lambdas/privacy/domain/export-steps';

describe('archive download URLs', () => {
  it('save the archive under a name a person recognises, signed into the URL, not under its random key', async () => {
    const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const name = archiveFileName({ type: 'access', receivedAt: '2026-12-06T10:00:00.000Z' });
    expect(name).toBe('omnapi-data-2026-12-06.zip');
    expect(archiveFileName({ type: 'portability', receivedAt: '2026-12-06T10:00:00.000Z' })).toBe('omnapi-portable-data-2026-12-06.zip');
    const url = new URL(await presigner(client, 'exports')('exports/req_1/tLO5Af7xqYkpU-Qg.zip', 300, name));
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="omnapi-data-2026-12-06.zip"');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
  });
});
