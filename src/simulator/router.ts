import type { IncomingHttpHeaders } from 'node:http';

export interface RequestContext {
  method: string;
  url: URL;
  /** The simulator's own origin, e.g. http://127.0.0.1:3979; links it hands out point here. */
  origin: string;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  requestId: string;
  readBody(): Promise<string>;
}

export interface Reply {
  status: number;
  /** Serialised as JSON; undefined sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection without answering, as a load balancer resetting it would. */
  reset?: boolean;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** Thrown by guards deep inside a handler to answer at once. */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`reply ${reply.status}`);
  }
}

interface Route {
  method: string;
  segments: string[];
  /** The literal segments lower-cased (parameters as they are). */
  folded: string[];
  handler: Handler;
}

export type Resolution =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'none' };

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Patterns like /subscriptions/:sub/requests; literal segments match case-insensitively, as ARM does. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    const segments = split(pattern);
    this.routes.push({ method: method.toUpperCase(), segments, folded: segments.map((s) => s.toLowerCase()), handler });
    return this;
  }

  resolve(method: string, pathname: string): Resolution {
    // Decoded and lower-cased once, not again for every route tried.
    const segments = split(pathname).map(decode);
    const folded = segments.map((s) => s.toLowerCase());
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route, segments, folded);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { kind: 'found', handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
  }
}

function matchSegments(route: Route, actual: string[], folded: string[]): Record<string, string> | undefined {
  if (route.segments.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const expected = route.segments[i] as string;
    if (expected.startsWith(':')) params[expected.slice(1)] = actual[i] as string;
    else if (route.folded[i] !== folded[i]) return undefined;
  }
  return params;
}
