import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** A GET URL for one object, valid `seconds` (its own module: the API's downloads need no archive writer). */
export function presigner(client: S3Client, bucket: string): (key: string, seconds: number) => Promise<string> {
  return (key, seconds) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds });
}
