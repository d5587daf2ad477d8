import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { adminError, defaultCodeFor, errorInStyle, styleOf, type ApiStyle } from './errors';
import type { RecordedCall } from './calls';
import type { ActiveFault } from './faults';
import { ReplyError, type Reply, type RequestContext, type Router } from './router';
import type { RouteDeps } from './routes/deps';

const MAX_BODY_BYTES = 1024 * 1024;

export interface Routers {
  upstream: Router;
  admin: Router;
}

function readBody(req: IncomingMessage, ctx: Pick<RequestContext, 'requestId' | 'headers'>, style: ApiStyle): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ReplyError(errorInStyle(style, ctx, 413, 'RequestEntityTooLarge', `The body is larger than ${MAX_BODY_BYTES} bytes.`)));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function hasBearerToken(ctx: RequestContext): boolean {
  const auth = ctx.headers.authorization;
  return typeof auth === 'string' && /^Bearer\s+\S+/i.test(auth);
}

function unauthenticated(style: ApiStyle, ctx: RequestContext): Reply {
  const reply = style === 'graph'
    ? errorInStyle(style, ctx, 401, 'InvalidAuthenticationToken', 'Access token is empty.')
    : style === 'exo'
      ? errorInStyle(style, ctx, 401, 'Unauthorized', 'The request has no bearer token for https://outlook.office365.com: sign in to Exchange Online first.')
      : errorInStyle(style, ctx, 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.");
  return { ...reply, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
}

function faultReply(fault: ActiveFault & { status: number }, style: ApiStyle, ctx: RequestContext): Reply {
  const reply: Reply = fault.body !== undefined
    ? { status: fault.status, body: fault.body }
    : errorInStyle(style, ctx, fault.status, defaultCodeFor(fault.status), `Injected fault #${fault.id} on ${ctx.method} ${ctx.url.pathname}.`);
  if (fault.headers) reply.headers = { ...reply.headers, ...Object.fromEntries(Object.entries(fault.headers).map(([k, v]) => [k.toLowerCase(), v])) };
  if (fault.retryAfterSeconds !== undefined) reply.headers = { ...reply.headers, 'retry-after': String(fault.retryAfterSeconds) };
  return reply;
}

async function route(router: Router, style: ApiStyle, ctx: RequestContext): Promise<Reply> {
  const resolution = router.resolve(ctx.method, ctx.url.pathname);
  if (resolution.kind === 'none') return errorInStyle(style, ctx, 404, 'NotFound', `The simulator has no route for ${ctx.method} ${ctx.url.pathname}.`);
  if (resolution.kind === 'wrong-method') {
    const reply = errorInStyle(style, ctx, 405, 'MethodNotAllowed', `${ctx.method} is not supported on ${ctx.url.pathname}.`);
    return { ...reply, headers: { allow: resolution.allowed.join(', ') } };
  }
  return resolution.handler({ ...ctx, params: resolution.params });
}

/** What the call log keeps about an Exchange Online admin API call besides method and path. */
type ExoCallInfo = Pick<RecordedCall, 'cmdlet' | 'anchorMailbox'>;

/** Every cmdlet shares one path, so faults and the call log need the cmdlet named in the body. */
async function peekExoCall(ctx: RequestContext): Promise<ExoCallInfo> {
  const anchor = ctx.headers['x-anchormailbox'];
  const info: ExoCallInfo = typeof anchor === 'string' ? { anchorMailbox: anchor } : {};
  try {
    const body: unknown = JSON.parse(await ctx.readBody());
    const name = (body as { CmdletInput?: { CmdletName?: unknown } } | null)?.CmdletInput?.CmdletName;
    if (typeof name === 'string') info.cmdlet = name;
  } catch {
    // The route answers a body it cannot read.
  }
  return info;
}

async function upstream(routers: Routers, deps: RouteDeps, style: ApiStyle, ctx: RequestContext, info: ExoCallInfo): Promise<Reply> {
  if (style === 'exo') Object.assign(info, await peekExoCall(ctx));
  const fault = deps.faults.take(ctx.method, ctx.url.pathname, info.cmdlet, () => [...ctx.url.searchParams].map(([k, v]) => `${k}=${v}`).join('&'));
  if (fault?.delayMs) await delay(fault.delayMs, undefined, { signal: deps.shutdown });
  if (fault?.reset) return { status: 0, reset: true };
  if (fault?.status !== undefined) return faultReply({ ...fault, status: fault.status }, style, ctx);
  // PagerDuty's Events API takes no token: the routing key in the body is the credential.
  if (style !== 'pagerduty' && !hasBearerToken(ctx)) return unauthenticated(style, ctx);
  return route(routers.upstream, style, ctx);
}

function send(res: ServerResponse, req: IncomingMessage, reply: Reply, style: ApiStyle, requestId: string): void {
  const headers: Record<string, string | number> = { ...reply.headers, 'x-ms-request-id': requestId };
  if (style === 'arm') {
    const correlation = req.headers['x-ms-correlation-request-id'];
    headers['x-ms-correlation-request-id'] = typeof correlation === 'string' ? correlation : requestId;
  }
  if (style === 'graph' || style === 'exo') {
    const clientRequestId = req.headers['client-request-id'];
    headers['request-id'] = requestId;
    headers['client-request-id'] = typeof clientRequestId === 'string' ? clientRequestId : requestId;
  }
  // A fault can stand in for a proxy's page: a string body with its own content type goes out as it is.
  const verbatim = typeof reply.body === 'string' && typeof headers['content-type'] === 'string' && !/json/i.test(headers['content-type']);
  const payload = reply.body === undefined || reply.status === 204 ? undefined : Buffer.from(verbatim ? (reply.body as string) : JSON.stringify(reply.body), 'utf8');
  if (payload && !verbatim) headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = payload?.length ?? 0;
  // Separate calls: restify, in the same process, patches writeHead to return undefined.
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** One request: admin routes as they are; upstream routes through faults, auth and the call log. Never throws. */
function parseUrl(origin: string, target: string | undefined): URL | undefined {
  try {
    return new URL(`${origin}${target ?? '/'}`);
  } catch {
    return undefined;
  }
}

/** One request: admin routes as they are; upstream routes through faults, auth and the call log. Never throws. */
export function createRequestListener(routers: Routers, deps: RouteDeps, origin: () => string): RequestListener {
  return (req, res) => {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = parseUrl(origin(), req.url);
    if (!url) {
      send(res, req, adminError(400, 'BadRequest', `The request target '${req.url}' is not a path.`), 'admin', requestId);
      return;
    }
    const style = styleOf(url.pathname);
    // Read once and kept: the Exchange admin API's cmdlet is read before the route reads the body.
    let body: Promise<string> | undefined;
    const ctx: RequestContext = {
      method, url, origin: origin(), params: {}, headers: req.headers, requestId,
      readBody: () => (body ??= readBody(req, ctx, style)),
    };
    const exoInfo: ExoCallInfo = {};
    const reply = style === 'admin' ? route(routers.admin, style, ctx) : upstream(routers, deps, style, ctx, exoInfo);
    reply
      .catch((err: unknown) => {
        if (err instanceof ReplyError) return err.reply;
        if (deps.shutdown.aborted) return errorInStyle(style, ctx, 503, 'ServiceUnavailable', 'The simulator is shutting down.');
        deps.logger.error('simulator: request failed', { method, path: url.pathname, error: err instanceof Error ? err.stack : String(err) });
        return errorInStyle(style, ctx, 500, 'InternalServerError', 'The simulator failed to handle the request.');
      })
      .then((answer) => {
        if (style !== 'admin') {
          deps.calls.record({
            method, path: url.pathname, query: Object.fromEntries(url.searchParams), at: deps.tenant.now().toISOString(), status: answer.status, ...exoInfo,
          });
          deps.logger.debug('simulator: upstream call', { method, path: url.pathname, status: answer.status });
        }
        if (answer.reset) req.socket.destroy();
        else send(res, req, answer, style, requestId);
      })
      .catch((err: unknown) => deps.logger.error('simulator: could not answer', { error: err instanceof Error ? err.message : String(err) }));
  };
}
