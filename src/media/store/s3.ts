import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { MediaConfig } from '../../config.js';
import { DEFAULT_URL_EXPIRY_SECONDS, type MediaStore, type ObjectInfo } from './types.js';

type S3Settings = NonNullable<MediaConfig['s3']>;

/** Media in an S3-compatible bucket (AWS S3, MinIO): streamed multipart uploads, presigned GET URLs. */
export class S3MediaStore implements MediaStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private ready: Promise<void> | undefined;

  constructor(private readonly s3: S3Settings) {
    const endpoint = /^https?:\/\//.test(s3.endpoint) ? s3.endpoint : `${s3.useSsl ? 'https' : 'http'}://${s3.endpoint}:${s3.port}`;
    this.client = new S3Client({
      endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey },
      // Checksums only where the operation requires them: s3rver and older S3-compatible servers do not understand the
      // aws-chunked checksum trailers the SDK sends on streamed uploads by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Creates the bucket when it does not exist yet (as upstream does at start). */
  private ensureBucket(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.s3.bucket }));
      } catch {
        await this.client.send(new CreateBucketCommand({ Bucket: this.s3.bucket }));
      }
    })().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async put(key: string, body: Buffer | Readable, mimetype: string): Promise<void> {
    await this.ensureBucket();
    await new Upload({ client: this.client, params: { Bucket: this.s3.bucket, Key: key, Body: body, ContentType: mimetype }, queueSize: 2, partSize: 5 * 1024 * 1024 }).done();
  }

  async get(key: string): Promise<Readable | undefined> {
    await this.ensureBucket();
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }));
      return res.Body as Readable;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    await this.ensureBucket();
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.s3.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, mimetype: res.ContentType ?? 'application/octet-stream' };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  url(key: string, expirySeconds = DEFAULT_URL_EXPIRY_SECONDS): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }), { expiresIn: expirySeconds });
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.s3.bucket, Key: key }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
