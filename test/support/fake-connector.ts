import http from 'node:http';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  /** The activity id in the path: the replied-to id on POST, the updated one on PUT. */
  activityId?: string;
  body: Record<string, unknown>;
}

/**
 * Stands in for the Bot Connector service that Teams runs: it accepts what the bot sends to
 * /v3/conversations/{id}/activities[/{activityId}] and records it, answering as the service does.
 */
export async function startFakeConnector() {
  const calls: ConnectorCall[] = [];
  let next = 1;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (!match) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: 'NotFound', message: `No route ${req.url}` } }));
        return;
      }
      const body = raw ? JSON.parse(raw) : {};
      calls.push({ method: req.method ?? '', path: req.url ?? '', conversationId: decodeURIComponent(match[1]!), activityId: match[2] && decodeURIComponent(match[2]), body });
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
    /** Cards posted (not updated) into a conversation. */
    postedCards: (conversationId?: string) => calls.filter((c) => c.method === 'POST' && hasCard(c.body) && (!conversationId || c.conversationId === conversationId)),
    updates: (activityId?: string) => calls.filter((c) => c.method === 'PUT' && (!activityId || c.activityId === activityId)),
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
