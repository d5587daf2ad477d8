import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { createHttpHeaders, RestError, type HttpClient, type HttpHeaders, type PipelineRequest, type PipelineResponse, type TlsSettings } from '@azure/core-rest-pipeline';

/**
 * Node's HTTP stack under the Azure pipeline, for JSON bodies: what the SDK's default client does for them
 * (kept-alive connections, the proxy agent the proxy policy picks, TLS settings, gzip/deflate, its errors, so
 * the retry policies decide as before) without what every call paid for and JSON never uses: an
 * AbortController and its listener per request, progress streams, a second copy of the answer's headers.
 * The timeout, a timer, covers the whole answer, body included, not just its headers.
 */
export function createNodeTransport(): HttpClient {
  return new NodeTransport();
}

class NodeTransport implements HttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgents = new WeakMap<TlsSettings, https.Agent>();
  private readonly noTlsSettings: TlsSettings = {};

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const signal = request.abortSignal;
    if (signal?.aborted) return Promise.reject(abortError('The operation was aborted. Request has already been canceled.'));
    const url = new URL(request.url);
    const insecure = url.protocol !== 'https:';
    if (insecure && !request.allowInsecureConnection) return Promise.reject(new Error(`Cannot connect to ${request.url} while allowInsecureConnection is false.`));
    const payload = toPayload(typeof request.body === 'function' ? request.body() : request.body);
    if (payload instanceof RestError) return Promise.reject(payload);
    if (payload !== undefined && !request.headers.has('content-length')) request.headers.set('content-length', Buffer.byteLength(payload));
    const options: http.RequestOptions = {
      agent: (request.agent as http.Agent | undefined) ?? this.agentFor(request, insecure),
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers.toJSON({ preserveCase: true }),
      ...request.requestOverrides,
    };
    return new Promise((resolve, reject) => {
      const req = insecure ? http.request(options) : https.request(options);
      let settled = false;
      const settle = () => {
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error) => {
        if (settled) return;
        settle();
        req.destroy();
        reject(error);
      };
      const onAbort = () => fail(abortError('The operation was aborted. Rejecting from abort signal callback while making request.'));
      const timer = request.timeout > 0 ? setTimeout(onAbort, request.timeout) : undefined;
      signal?.addEventListener('abort', onAbort);
      req.once('error', (error: NodeJS.ErrnoException) => fail(new RestError(error.message, { code: error.code ?? RestError.REQUEST_SEND_ERROR, request })));
      req.once('response', (res) => {
        const response: PipelineResponse = { status: res.statusCode ?? 0, headers: headersOf(res), request };
        if (request.method === 'HEAD') {
          res.resume();
          settle();
          resolve(response);
          return;
        }
        const stream = decoded(res, request.headers, response.headers);
        if (request.streamResponseStatusCodes?.has(Number.POSITIVE_INFINITY) || request.streamResponseStatusCodes?.has(response.status)) {
          response.readableStreamBody = stream;
          settle();
          resolve(response);
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
        stream.once('end', () => {
          if (settled) return;
          settle();
          response.bodyAsText = Buffer.concat(chunks).toString('utf8');
          resolve(response);
        });
        stream.once('error', (error: Error) => fail(new RestError(`Error reading response as text: ${error.message}`, { code: RestError.PARSE_ERROR, request })));
      });
      req.end(payload);
    });
  }

  private agentFor(request: PipelineRequest, insecure: boolean): http.Agent {
    if (insecure) return request.disableKeepAlive ? http.globalAgent : this.httpAgent;
    if (request.disableKeepAlive && !request.tlsSettings) return https.globalAgent;
    const settings = request.tlsSettings ?? this.noTlsSettings;
    let agent = this.httpsAgents.get(settings);
    if (!agent || agent.options.keepAlive !== !request.disableKeepAlive) {
      agent = new https.Agent({ keepAlive: !request.disableKeepAlive, ...settings });
      this.httpsAgents.set(settings, agent);
    }
    return agent;
  }
}

function abortError(message: string): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

/** What a JSON call sends; a stream or form body is not one, and is refused rather than sent half-understood. */
function toPayload(body: unknown): string | Buffer | undefined | RestError {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return new RestError('Unrecognized body type: this transport sends strings and buffers');
}

/** The first value of a repeated header, as the SDK's client keeps it. */
function headersOf(res: http.IncomingMessage): HttpHeaders {
  const headers = createHttpHeaders();
  for (const name in res.headers) {
    const value = res.headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first) headers.set(name, first);
  }
  return headers;
}

/** gzip and deflate are undone when the request asked for them (the pipeline's decompress policy does). */
function decoded(res: http.IncomingMessage, sent: HttpHeaders, received: HttpHeaders): Readable {
  const accepted = sent.get('accept-encoding');
  if (!accepted || !/gzip|deflate/.test(accepted)) return res;
  const encoding = received.get('content-encoding');
  const inflate = encoding === 'gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : undefined;
  if (!inflate) return res;
  res.once('error', (error) => inflate.destroy(error));
  return res.pipe(inflate);
}
