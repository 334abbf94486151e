import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** A GET URL for one object, valid `seconds` (its own module: the API's downloads need no archive writer). */
export function presigner(client: S3Client, bucket: string): (key: string, seconds: number, fileName: string) => Promise<string> {
  return (key, seconds, fileName) =>
    getSignedUrl(
      client,
      // S3 answers with this header, so the browser saves the archive under a name a person recognises.
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename="${fileName}"` }),
      { expiresIn: seconds },
    );
}
