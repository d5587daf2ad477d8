import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  decompressResponsePolicy,
  defaultRetryPolicy,
  logPolicy,
  proxyPolicy,
  redirectPolicy,
  retryPolicy,
  setClientRequestIdPolicy,
  tracingPolicy,
  userAgentPolicy,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline';
import { UpstreamError } from '../domain/errors';
import { freshTokenPolicy } from './fresh-token-policy';

const USER_AGENT_PREFIX = 'lockbox-bot';

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface JsonRequest {
  method: HttpMethods;
  /** Absolute URL, or a path joined to the client's base URL. */
  url: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface JsonClientOptions {
  baseUrl: string;
  /** Who the bot signs in as; absent for a service that takes its key in the body (PagerDuty's Events API). */
  credential?: TokenCredential;
  scope?: string;
  /** Per attempt; retries come on top. */
  timeoutMs?: number;
  maxRetries?: number;
  retryDelayMs?: number;
  /** Injected transport, e.g. for tests; the default is Node's HTTP stack. */
  httpClient?: HttpClient;
  /** Send tokens over plain HTTP to loopback: only for the simulated tenant. */
  allowLoopbackHttp?: boolean;
  /** An answer that means "your token is about to expire": ask for a token again and try once more. */
  freshTokenOnStatus?: number;
  /** Answers retried with backoff even without a Retry-After (429s without one are otherwise returned at once). */
  retryStatuses?: number[];
  /** An Azure SDK span per call, for Application Insights; without it a span would be built and thrown away. */
  tracing?: boolean;
}

/**
 * JSON over HTTP with Azure's pipeline: bearer tokens, Retry-After on 429/503, exponential
 * backoff with jitter on 5xx and connection errors. Non-2xx answers are returned, not thrown,
 * because each Microsoft API words its errors differently.
 */
export class JsonClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly base: URL;
  /** Plain HTTP allowed: only to the simulated tenant on loopback, and a request never leaves the base's origin. */
  private readonly insecureAllowed: boolean;

  constructor(private readonly options: JsonClientOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.insecureAllowed = Boolean(options.allowLoopbackHttp) && isLoopbackHttp(this.base);
    this.pipeline = jsonPipeline(options);
    if (options.retryStatuses?.length) this.pipeline.addPolicy(statusRetryPolicy(options.retryStatuses, options.maxRetries ?? 3, options.retryDelayMs ?? 800), { phase: 'Retry' });
    const { credential, scope } = options;
    if (credential && scope) {
      // Azure's bearer policy refuses plain HTTP; the simulator on loopback is the one place we allow it.
      const loopbackUrl = sameOriginOrLoopback(this.base);
      this.pipeline.addPolicy(
        options.freshTokenOnStatus !== undefined
          ? freshTokenPolicy(credential, scope, options.freshTokenOnStatus, (u) => u.startsWith('https://') || (this.insecureAllowed && loopbackUrl(u)))
          : this.insecureAllowed
            ? loopbackBearerPolicy(credential, scope, loopbackUrl)
            : bearerTokenAuthenticationPolicy({ credential, scopes: scope }),
      );
    }
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
  }

  async send(request: JsonRequest): Promise<JsonResponse> {
    const base = this.base;
    const url = new URL(request.url, base);
    // Next-page links come from the answer; a token must never follow one to another host.
    if (url.origin !== base.origin) throw new UpstreamError(`Refusing to follow a link to ${url.origin}, outside ${base.origin}`, false);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const headers = createHttpHeaders({ accept: 'application/json', ...request.headers });
    if (request.body !== undefined) headers.set('content-type', 'application/json; charset=utf-8');
    const pipelineRequest = createPipelineRequest({
      url: url.toString(),
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      timeout: this.options.timeoutMs ?? 15_000,
      allowInsecureConnection: this.insecureAllowed,
    });
    let response;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, pipelineRequest);
    } catch (error) {
      throw new UpstreamError(`${request.method} ${url.origin}${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    // Headers are read on failures only: copied out when first asked for, not on every answer.
    let copied: Record<string, string> | undefined;
    const received = response.headers;
    return { status: response.status, body: parseBody(response.bodyAsText), get headers() { return (copied ??= received.toJSON()); } };
  }
}

/**
 * Azure's default pipeline less what JSON calls never use (form data, multipart, abort-signal wrapping) and,
 * unless asked for, tracing: its span per call sanitises the URL even when nothing records it. The proxy
 * policy costs nothing per call when no proxy is set and honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY when one is;
 * the log policy writes only when AZURE_LOG_LEVEL turns the Azure SDK's own logging on.
 */
function jsonPipeline(options: JsonClientOptions): Pipeline {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(proxyPolicy());
  pipeline.addPolicy(decompressResponsePolicy());
  pipeline.addPolicy(userAgentPolicy({ userAgentPrefix: USER_AGENT_PREFIX }));
  pipeline.addPolicy(setClientRequestIdPolicy());
  pipeline.addPolicy(defaultRetryPolicy({ maxRetries: options.maxRetries ?? 3, retryDelayInMs: options.retryDelayMs ?? 800, maxRetryDelayInMs: 30_000 }), { phase: 'Retry' });
  if (options.tracing) pipeline.addPolicy(tracingPolicy({ userAgentPrefix: USER_AGENT_PREFIX }), { afterPhase: 'Retry' });
  // Same origin only, and without the token, as Azure's default: a redirect never carries it elsewhere.
  pipeline.addPolicy(redirectPolicy(), { afterPhase: 'Retry' });
  pipeline.addPolicy(logPolicy(), { afterPhase: 'Sign' });
  return pipeline;
}

function parseBody(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Whether a URL is plain HTTP to loopback; one of the client's own origin is known to be, without parsing it again. */
function sameOriginOrLoopback(base: URL): (url: string) => boolean {
  const own = isLoopbackHttp(base) ? `${base.origin}/` : undefined;
  return (url) => (own !== undefined && url.startsWith(own)) || isLoopbackHttp(new URL(url));
}

/** Exponential backoff with jitter for the given answers when they carry no Retry-After (the default policy honours one). */
function statusRetryPolicy(statuses: number[], maxRetries: number, baseDelayMs: number): PipelinePolicy {
  return retryPolicy([{
    name: 'statusRetryStrategy',
    retry({ retryCount, response }) {
      if (!response || !statuses.includes(response.status) || response.headers.get('retry-after')) return { skipStrategy: true };
      const ceiling = Math.min(30_000, baseDelayMs * 2 ** retryCount);
      return { retryAfterInMs: ceiling / 2 + (Math.random() * ceiling) / 2 };
    },
  }], { maxRetries });
}

/** Like Azure's bearer policy, including its answer to a claims challenge: one fresh token with the claims, one retry. */
function loopbackBearerPolicy(credential: TokenCredential, scope: string, isLoopback: (url: string) => boolean): PipelinePolicy {
  return {
    name: 'loopbackBearerPolicy',
    async sendRequest(request, next) {
      if (!isLoopback(request.url)) throw new Error(`Refusing to send a token over plain HTTP to ${new URL(request.url).host}`);
      const token = await credential.getToken(scope);
      if (token) request.headers.set('authorization', `Bearer ${token.token}`);
      const response = await next(request);
      const claims = response.status === 401 ? claimsChallenge(response.headers.get('www-authenticate')) : undefined;
      if (!claims) return response;
      const fresh = await credential.getToken(scope, { claims });
      if (fresh) request.headers.set('authorization', `Bearer ${fresh.token}`);
      return next(request);
    },
  };
}

/** The claims of a CAE challenge (`Bearer error="insufficient_claims", claims="<base64>"`), decoded. */
function claimsChallenge(header: string | undefined): string | undefined {
  if (!header || !/error="insufficient_claims"/i.test(header)) return undefined;
  const encoded = /claims="([^"]+)"/i.exec(header)?.[1];
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
}
