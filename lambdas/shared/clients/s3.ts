import { S3Client } from '@aws-sdk/client-s3';

/** The S3 client, created once per container; path-style when pointed at a local endpoint. */
export const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
