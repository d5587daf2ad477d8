import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorCredential } from '../../src/http/credentials';
import { JsonClient, type JsonClientOptions } from '../../src/http/json-client';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A loopback server that records what reached it and answers with `answer`. */
async function serve(answer: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      answer(req, res, seen);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const clientFor = (baseUrl: string, options: Partial<JsonClientOptions> = {}) =>
  new JsonClient({ baseUrl, credential: new SimulatorCredential(), scope: 'https://management.azure.com/.default', allowLoopbackHttp: true, retryDelayMs: 10, ...options });

describe('the JSON client, over real HTTP on loopback', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const started = async (answer: Parameters<typeof serve>[0]) => {
    const server = await serve(answer);
    servers.push(server);
    return server;
  };

  it('sends the bearer token, its query and body, and says who it is with a request id Microsoft can trace', async () => {
    const server = await started((_req, res) => json(res, 200, { ok: true }));
    const response = await clientFor(server.url).send({ method: 'POST', url: 'subscriptions/s/x', query: { 'api-version': '2022-04-01', $filter: "assignedTo('a b')" }, body: { status: 'Approve' } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { ok: true });
    const [call] = server.seen;
    assert.equal(call?.method, 'POST');
    assert.equal(new URL(call!.url, server.url).searchParams.get('$filter'), "assignedTo('a b')");
    assert.equal(call?.headers.authorization, 'Bearer simulated-tenant-token');
    assert.equal(call?.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(call?.headers.accept, 'application/json');
    assert.match(call?.headers['user-agent'] ?? '', /^lockbox-bot /);
    assert.match(String(call?.headers['x-ms-client-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('retries a 429 after its Retry-After and a 503 with backoff, and returns the answer that came through', async () => {
    const server = await started((_req, res, seen) => {
      if (seen.length === 1) json(res, 429, { error: { code: 'TooManyRequests' } }, { 'retry-after': '0' });
      else if (seen.length === 2) json(res, 503, { error: { code: 'ServiceUnavailable' } });
      else json(res, 200, { value: [] });
    });
    const response = await clientFor(server.url).send({ method: 'GET', url: 'x' });
    assert.equal(response.status, 200);
    assert.equal(server.seen.length, 3);
  });

  it('returns a 4xx as it came, without retrying it', async () => {
    const server = await started((_req, res) => json(res, 403, { error: { code: 'AuthorizationFailed', message: 'no' } }));
    const response = await clientFor(server.url).send({ method: 'GET', url: 'x' });
    assert.equal(response.status, 403);
    assert.deepEqual(response.body, { error: { code: 'AuthorizationFailed', message: 'no' } });
    assert.equal(response.headers['content-type'], 'application/json');
    assert.equal(server.seen.length, 1);
  });

  it('answers a claims challenge with one fresh token and one retry', async () => {
    const claims = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}').toString('base64');
    const server = await started((_req, res, seen) =>
      seen.length === 1 ? json(res, 401, {}, { 'www-authenticate': `Bearer error="insufficient_claims", claims="${claims}"` }) : json(res, 200, {}));
    assert.equal((await clientFor(server.url).send({ method: 'GET', url: 'x' })).status, 200);
    assert.deepEqual(server.seen.map((s) => s.headers.authorization), ['Bearer simulated-tenant-token', 'Bearer simulated-tenant-token-with-claims']);
  });

  it('never sends a token over plain HTTP to anything but loopback', async () => {
    // Nothing listens there: the refusal comes before any connection is tried.
    await assert.rejects(clientFor('http://192.0.2.1:9').send({ method: 'GET', url: 'x' }), /https|plain HTTP|TLS/i);
    await assert.rejects(clientFor('http://192.0.2.1:9', { freshTokenOnStatus: 412 }).send({ method: 'GET', url: 'x' }), /plain HTTP/);
  });

  it('sends plain HTTP to loopback only when allowed to', async () => {
    const server = await started((_req, res) => json(res, 200, {}));
    await assert.rejects(clientFor(server.url, { allowLoopbackHttp: false }).send({ method: 'GET', url: 'x' }), /https|TLS/i);
    assert.equal(server.seen.length, 0);
  });

  it('refuses a next link that leads to another origin, before sending anything', async () => {
    const server = await started((_req, res) => json(res, 200, {}));
    await assert.rejects(clientFor(server.url).send({ method: 'GET', url: 'http://127.0.0.2:1/steal' }), /Refusing to follow a link/);
    assert.equal(server.seen.length, 0);
  });

  it('follows a redirect within the service, without the token, and never one to another origin', async () => {
    const other = await started((_req, res) => json(res, 200, { elsewhere: true }));
    const server = await started((req, res) => {
      if (req.url === '/moved') json(res, 302, {}, { location: '/here' });
      else if (req.url === '/away') json(res, 302, {}, { location: `${other.url}/there` });
      else json(res, 200, { here: true });
    });
    const client = clientFor(server.url);
    assert.deepEqual((await client.send({ method: 'GET', url: 'moved' })).body, { here: true });
    assert.equal(server.seen[1]?.url, '/here');
    assert.equal(server.seen[1]?.headers.authorization, undefined);
    assert.equal((await client.send({ method: 'GET', url: 'away' })).status, 302);
    assert.equal(other.seen.length, 0);
  });

  it('goes through the proxy HTTP_PROXY names when it is set', async function () {
    // The SDK reads NO_PROXY once per process; a machine that exempts loopback cannot show this.
    if (/127\.0\.0\.1|\*/.test(`${process.env.NO_PROXY ?? ''},${process.env.no_proxy ?? ''}`)) this.skip();
    const proxy = await started((req, res) => json(res, 200, { proxiedFor: req.url }));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    try {
      delete process.env.http_proxy;
      process.env.HTTP_PROXY = proxy.url;
      const target = 'http://127.0.0.1:9';
      const response = await clientFor(target).send({ method: 'GET', url: 'x' });
      assert.deepEqual(response.body, { proxiedFor: `${target}/x` });
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
