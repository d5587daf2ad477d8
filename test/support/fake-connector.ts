import http from 'node:http';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  /** The activity id in the path: the replied-to id on POST, the updated one on PUT. */
  activityId?: string;
  body: Record<string, unknown>;
  /** When the request arrived, in `performance.now()` milliseconds. */
  at?: number;
  /** The Authorization header it carried, if any. */
  authorization?: string;
}

/** A request the connector refused, and the status it answered. */
export interface RefusedCall extends ConnectorCall {
  status: number;
  code: string;
  /** Whether a full rate-limit window, a scripted failure or a missing bearer token refused it. */
  cause: 'rate-limit' | 'scripted' | 'unauthorized';
}

export interface RateLimit {
  count: number;
  windowMs: number;
}

/** Teams' documented limits, written out again here so the fake does not trust the bot's copy. */
export const TEAMS_RATE_LIMITS = {
  conversation: [
    { count: 7, windowMs: 1000 },
    { count: 8, windowMs: 2000 },
    { count: 60, windowMs: 30_000 },
    { count: 1800, windowMs: 3_600_000 },
  ],
  overall: [{ count: 50, windowMs: 1000 }],
};

/** An answer scripted for the next requests into one conversation. */
export interface ScriptedFailure {
  status: number;
  /** The Bot Framework error code, e.g. `ConversationBlockedByUser`. */
  code?: string;
  message?: string;
  /** Sent as the Retry-After header when given. */
  retryAfter?: string;
  /** How many requests get this answer; 1 by default, `Infinity` for every one. */
  times?: number;
  /** Refuse only activities that carry a card, letting plain text through. */
  cardsOnly?: boolean;
}

export interface FakeConnectorOptions {
  /** When given, answers 429 once a window is full, per conversation and over all of them, as Teams does. */
  limits?: { conversation: RateLimit[]; overall: RateLimit[] };
  /** The Retry-After of those 429s, in seconds; 1 by default. */
  retryAfterSeconds?: number;
  /** Answers to give, in order, to the next requests into a conversation; see also `fail`. */
  failures?: Record<string, ScriptedFailure[]>;
  /** Answers 401, as the real service does, to requests without an `Authorization: Bearer …` header. */
  requireBearer?: boolean;
}

/** Arrival times in one scope, and whether one more fits under its limits. Refused requests do not count. */
class Windows {
  private readonly log: number[] = [];
  constructor(private readonly limits: RateLimit[]) {}

  isFull(now: number): boolean {
    const horizon = Math.max(...this.limits.map((l) => l.windowMs));
    while (this.log.length && this.log[0]! <= now - horizon) this.log.shift();
    return this.limits.some(({ count, windowMs }) => {
      const oldestCounted = this.log[this.log.length - count];
      return oldestCounted !== undefined && oldestCounted > now - windowMs;
    });
  }

  record(now: number): void {
    this.log.push(now);
  }
}

/**
 * Stands in for the Bot Connector service that Teams runs: it accepts what the bot sends to
 * /v3/conversations/{id}/activities[/{activityId}] and records it, answering as the service does.
 * `calls` holds only the requests it accepted; `refused` those it answered with an error.
 */
export async function startFakeConnector(options: FakeConnectorOptions = {}) {
  const calls: ConnectorCall[] = [];
  const refused: RefusedCall[] = [];
  const scripted = new Map<string, ScriptedFailure[]>(Object.entries(options.failures ?? {}).map(([id, list]) => [id, list.map((f) => ({ ...f }))]));
  const limits = options.limits;
  const overall = limits && new Windows(limits.overall);
  const perConversation = new Map<string, Windows>();
  let next = 1;

  const refuse = (res: http.ServerResponse, refusal: RefusedCall, message: string, retryAfter?: string) => {
    const { status, code } = refusal;
    refused.push(refusal);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    if (retryAfter !== undefined) res.setHeader('retry-after', retryAfter);
    res.end(JSON.stringify({ error: { code, message } }));
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const at = performance.now();
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (!match) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: 'NotFound', message: `No route ${req.url}` } }));
        return;
      }
      const body = raw ? JSON.parse(raw) : {};
      const conversationId = decodeURIComponent(match[1]!);
      const authorization = req.headers.authorization;
      const call: ConnectorCall = { method: req.method ?? '', path: req.url ?? '', conversationId, activityId: match[2] && decodeURIComponent(match[2]), body, at, ...(authorization ? { authorization } : {}) };

      if (options.requireBearer && !/^Bearer \S+$/.test(authorization ?? '')) {
        refuse(res, { ...call, status: 401, code: 'Unauthorized', cause: 'unauthorized' }, 'Authorization has been denied for this request.');
        return;
      }

      const failure = scripted.get(conversationId)?.[0];
      if (failure && (!failure.cardsOnly || Array.isArray(body.attachments))) {
        failure.times = (failure.times ?? 1) - 1;
        if (failure.times <= 0) scripted.get(conversationId)!.shift();
        refuse(res, { ...call, status: failure.status, code: failure.code ?? `Http${failure.status}`, cause: 'scripted' }, failure.message ?? `Scripted ${failure.status}`, failure.retryAfter);
        return;
      }
      if (limits && overall) {
        let windows = perConversation.get(conversationId);
        if (!windows) perConversation.set(conversationId, (windows = new Windows(limits.conversation)));
        if (overall.isFull(at) || windows.isFull(at)) {
          const message = 'The bot sent too many messages; wait for Retry-After before sending again.';
          refuse(res, { ...call, status: 429, code: 'TooManyRequests', cause: 'rate-limit' }, message, String(options.retryAfterSeconds ?? 1));
          return;
        }
        overall.record(at);
        windows.record(at);
      }

      calls.push(call);
      const id = req.method === 'PUT' ? match[2] : `activity-${next++}`;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    refused,
    /** Cards posted (not updated) into a conversation. */
    postedCards: (conversationId?: string) => calls.filter((c) => c.method === 'POST' && hasCard(c.body) && (!conversationId || c.conversationId === conversationId)),
    updates: (activityId?: string) => calls.filter((c) => c.method === 'PUT' && (!activityId || c.activityId === activityId)),
    /** How many requests were answered 429 because a rate limit was exceeded. */
    throttled: () => refused.filter((r) => r.cause === 'rate-limit').length,
    /** Scripts the answers to the next requests into a conversation, e.g. `{ status: 403, code: 'ConversationBlockedByUser', times: Infinity }`. */
    fail: (conversationId: string, ...failures: ScriptedFailure[]) => {
      scripted.set(conversationId, [...(scripted.get(conversationId) ?? []), ...failures.map((f) => ({ ...f }))]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeConnector = Awaited<ReturnType<typeof startFakeConnector>>;

function hasCard(body: Record<string, unknown>): boolean {
  const attachments = body.attachments as { contentType?: string }[] | undefined;
  return Boolean(attachments?.some((a) => a.contentType === 'application/vnd.microsoft.card.adaptive'));
}

/** The adaptive card inside a posted or updated activity. */
export function cardOf(body: Record<string, unknown>): Record<string, unknown> {
  const attachments = body.attachments as { content: Record<string, unknown> }[];
  return attachments[0]!.content;
}
