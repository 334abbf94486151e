import { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../tracer';

/** The S3 client, created once per container, traced; path-style when pointed at a local endpoint. */
export const s3 = traced(new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }));
