import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FAKE_MEDIA_CERT_PEM, FAKE_MEDIA_KEY_PEM } from './test-certificate.js';

/** One encrypted blob the client uploaded (or the fake stored for an inbound message). */
export interface StoredBlob {
  directPath: string;
  bytes: Buffer;
  /** For uploads: whether the bytes match the `token` (their SHA-256) the client put in the upload URL. */
  intact?: boolean;
}

/**
 * WhatsApp's media servers in miniature, over HTTPS on 127.0.0.1 with the test certificate:
 * POST stores the (already encrypted) upload and answers `{url, direct_path}`; GET serves it.
 */
export class FakeMediaHost {
  readonly uploads: StoredBlob[] = [];
  private readonly blobs = new Map<string, Buffer>();
  private server?: Server;

  get host(): string {
    if (!this.server) throw new Error('media host not started');
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer({ key: FAKE_MEDIA_KEY_PEM, cert: FAKE_MEDIA_CERT_PEM }, (req, res) => {
      const url = new URL(req.url ?? '/', `https://${this.host}`);
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const blob = this.put(bytes, url.pathname.split('/')[1] ?? 'mms');
          const token = url.searchParams.get('token');
          this.uploads.push({ ...blob, intact: token === createHash('sha256').update(bytes).digest('base64url') });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ url: this.urlOf(blob.directPath), direct_path: blob.directPath }));
        });
        return;
      }
      const bytes = this.blobs.get(url.pathname);
      if (req.method !== 'GET' || !bytes) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** Stores encrypted bytes and returns their direct path. */
  put(bytes: Buffer, kind = 'mms'): StoredBlob {
    const directPath = `/v/t62.${kind}/${randomBytes(8).toString('hex')}.enc`;
    this.blobs.set(directPath, bytes);
    return { directPath, bytes };
  }

  get(directPath: string): Buffer | undefined {
    return this.blobs.get(directPath);
  }

  urlOf(directPath: string): string {
    return `https://${this.host}${directPath}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
