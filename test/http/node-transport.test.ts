import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { SimulatorCredential } from '../../src/http/credentials';
import { JsonClient } from '../../src/http/json-client';
import { createNodeTransport } from '../../src/http/node-transport';

/** A loopback server whose answer to each request is up to the test; it counts the requests that reached it. */
async function serve(answer: (req: http.IncomingMessage, res: http.ServerResponse, count: number) => void) {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res, ++count));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const clientFor = (baseUrl: string, timeoutMs = 2000) =>
  new JsonClient({ baseUrl, credential: new SimulatorCredential(), scope: 'https://management.azure.com/.default', allowLoopbackHttp: true, retryDelayMs: 10, maxRetries: 1, timeoutMs });

describe('the Node transport under the JSON client', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const started = async (answer: Parameters<typeof serve>[0]) => {
    const server = await serve(answer);
    servers.push(server);
    return server;
  };

  it('gives up on an answer that does not come within the timeout, body included, and does not send it again', async () => {
    const server = await started((_req, res) => {
      // Headers at once, the body never: a timeout that stopped at the headers would wait forever.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"value":');
    });
    await assert.rejects(clientFor(server.url, 100).send({ method: 'GET', url: 'x' }), /failed: The operation was aborted/);
    assert.equal(server.count(), 1);
  });

  it('sends again after a dropped connection, as the retry policy asks, and returns what came through', async () => {
    const server = await started((req, res, count) => {
      if (count === 1) req.socket.destroy();
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
    const response = await clientFor(server.url).send({ method: 'GET', url: 'x' });
    assert.deepEqual(response.body, { ok: true });
    assert.equal(server.count(), 2);
  });

  it('asks for gzip and reads a gzipped answer', async () => {
    let asked: string | undefined;
    const server = await started((req, res) => {
      asked = req.headers['accept-encoding'];
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(JSON.stringify({ value: ['é', 'ok'] })));
    });
    const response = await clientFor(server.url).send({ method: 'GET', url: 'x' });
    assert.match(asked ?? '', /gzip/);
    assert.deepEqual(response.body, { value: ['é', 'ok'] });
  });

  it('sends a string body with its length in bytes, and keeps the first of a repeated header', async () => {
    let received: { length?: string } | undefined;
    const server = await started((req, res) => {
      received = { length: req.headers['content-length'] };
      res.setHeader('set-cookie', ['first=1', 'second=2']);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const body = JSON.stringify({ reason: 'naïve ✓' });
    const response = await createNodeTransport().sendRequest(createPipelineRequest({ url: `${server.url}/x`, method: 'POST', body, allowInsecureConnection: true, headers: createHttpHeaders({ 'content-type': 'application/json' }) }));
    assert.equal(received?.length, String(Buffer.byteLength(body)));
    assert.equal(response.headers.get('set-cookie'), 'first=1');
    assert.equal(response.bodyAsText, '{}');
  });

  it('refuses a body it cannot send as it is, and plain HTTP unless allowed, before connecting', async () => {
    const server = await started((_req, res) => res.end());
    const transport = createNodeTransport();
    await assert.rejects(transport.sendRequest(createPipelineRequest({ url: `${server.url}/x`, method: 'POST', allowInsecureConnection: true, body: new Blob(['x']) })), /Unrecognized body type/);
    await assert.rejects(transport.sendRequest(createPipelineRequest({ url: `${server.url}/x`, method: 'GET' })), /allowInsecureConnection is false/);
    assert.equal(server.count(), 0);
  });

  it('stops at once when the caller aborts', async () => {
    const server = await started(() => undefined);
    const controller = new AbortController();
    const pending = createNodeTransport().sendRequest(createPipelineRequest({ url: `${server.url}/x`, method: 'GET', allowInsecureConnection: true, abortSignal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: Error) => error.name === 'AbortError');
  });
});
