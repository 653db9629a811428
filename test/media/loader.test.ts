import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { HttpMediaLoader } from '../../src/media/loader.js';
import { ApiError } from '../../src/domain/errors.js';

let server: Server;
let base: string;
let png: Buffer;

beforeAll(async () => {
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#f00' } }).png().toBuffer();
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/pic.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end(png); // lies about its type
    if (url.pathname === '/note.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('just text');
    if (url.pathname === '/big') return res.writeHead(200).end(Buffer.alloc(5000));
    if (url.pathname === '/big-chunked') {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
      return res.end();
    }
    if (url.pathname === '/slow') return setTimeout(() => res.writeHead(200).end('late'), 1500);
    if (url.pathname === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (url.pathname === '/to-pic') return res.writeHead(301, { location: '/pic.txt' }).end();
    if (url.pathname === '/missing') return res.writeHead(404).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const loader = (allowPrivate = true, timeoutMs = 1000) => new HttpMediaLoader({ allowPrivate, maxBytes: 4096, timeoutMs });

async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  const e = err as ApiError;
  return { status: e.status, message: String((e.response as unknown[])[0]) };
}

describe('media loader', () => {
  it('reads the mimetype from the content, not the server or the name', async () => {
    const m = await loader().load(`${base}/pic.txt`);
    expect(m).toMatchObject({ mimetype: 'image/png', size: png.length, fileName: 'pic.txt' });
    expect(m.data.equals(png)).toBe(true);
  });

  it('falls back to the given mimetype for content without a signature', async () => {
    expect((await loader().load(`${base}/note.txt`)).mimetype).toBe('text/plain');
    expect((await loader().load({ base64: Buffer.from('a,b\n1,2').toString('base64') }, { mimetype: 'text/csv' })).mimetype).toBe('text/csv');
    expect((await loader().load({ base64: Buffer.from('plain').toString('base64') }, { fileName: 'x.txt' })).mimetype).toBe('text/plain');
  });

  it('takes plain base64, data URIs and uploads', async () => {
    expect((await loader().load(png.toString('base64'))).data.equals(png)).toBe(true);
    expect((await loader().load(`data:image/png;base64,${png.toString('base64')}`)).mimetype).toBe('image/png');
    expect((await loader().load({ file: { data: png, fileName: 'a.bin', mimetype: 'application/octet-stream' } })).mimetype).toBe('image/png');
  });

  it('refuses what is neither a URL nor base64', async () => {
    expect(await refusal(loader().load('not media!'))).toEqual({ status: 400, message: 'Owned media must be a url or base64' });
  });

  it('follows redirects and checks each hop', async () => {
    expect((await loader().load(`${base}/to-pic`)).mimetype).toBe('image/png');
    const r = await refusal(loader().load(`${base}/to-metadata`));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/not allowed.*169\.254\.169\.254.*metadata/);
  });

  it('refuses oversize sources with 413, declared or streamed', async () => {
    expect((await refusal(loader().load(`${base}/big`))).status).toBe(413);
    expect((await refusal(loader().load(`${base}/big-chunked`))).status).toBe(413);
    expect((await refusal(loader().load(Buffer.alloc(6000).toString('base64')))).status).toBe(413);
    expect((await refusal(loader().load({ file: { data: Buffer.alloc(5000) } }))).status).toBe(413);
  });

  it('fails a slow source with 400 once the timeout passed', async () => {
    const started = Date.now();
    const r = await refusal(loader(true, 300).load(`${base}/slow`));
    expect(r).toEqual({ status: 400, message: 'The media URL did not answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('reports a source that answers with an error', async () => {
    expect(await refusal(loader().load(`${base}/missing`))).toEqual({ status: 400, message: 'The media URL answered 404' });
  });

  it('with private addresses refused: loopback by IP and by DNS name, IPv6 and IPv4-mapped', async () => {
    const strict = loader(false);
    for (const url of [`${base}/pic.txt`, `http://localhost:${new URL(base).port}/pic.txt`, 'http://[::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://10.1.2.3/x', 'http://192.168.0.1/x']) {
      const r = await refusal(strict.load(url));
      expect(r.status, url).toBe(400);
      expect(r.message, url).toMatch(/private address/);
    }
  });

  it('always refuses link-local and metadata addresses', async () => {
    for (const url of ['http://169.254.169.254/latest', 'http://169.254.10.10/', 'http://[fe80::1]/', 'http://[fd00:ec2::254]/', 'http://100.100.100.200/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://[::ffff:169.254.169.254]/']) {
      const r = await refusal(loader(true).load(url));
      expect(r.status, url).toBe(400);
      expect(r.message, url).toMatch(/not allowed/);
    }
  });
});

describe('guarded dispatcher (the check at connect time)', () => {
  it('refuses a name whose answer is not allowed when the socket connects, without any check before', async () => {
    const { request } = await import('undici');
    const { guardedDispatcher, addressRefusalIn } = await import('../../src/security/addressGuard.js');
    const port = new URL(base).port;
    const strict = guardedDispatcher({ allowPrivate: false });
    const err = await request(`http://localhost:${port}/pic.txt`, { dispatcher: strict }).then(() => undefined, (e: unknown) => e);
    expect(addressRefusalIn(err)?.reason).toBe('private');
    const open = guardedDispatcher({ allowPrivate: true });
    const ok = await request(`http://localhost:${port}/pic.txt`, { dispatcher: open });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    const meta = await request('http://metadata.google.internal/', { dispatcher: open }).then(() => undefined, (e: unknown) => e);
    expect(addressRefusalIn(meta)?.reason).toBe('metadata');
  });
});
