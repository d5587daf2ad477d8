import restify from 'restify';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from './domain/ports';

export interface HealthSource {
  /** 200 when everything the bot needs answers; the body says what is wrong otherwise. */
  check(): Promise<{ ok: boolean; [key: string]: unknown }>;
}

/** The bot's HTTP surface: the Bot Framework messaging endpoint and a health probe. */
export function createServer(adapter: TeamsAdapter, app: Application<TurnState>, health: HealthSource, logger: Logger): restify.Server {
  const server = restify.createServer({ name: 'lockbox-bot', handleUncaughtExceptions: false });
  // JSON only: a multipart parser would write uploads to disk before any token is checked.
  server.use(restify.plugins.jsonBodyParser({ maxBodySize: 1024 * 1024, mapParams: false } as restify.plugins.JsonBodyParserOptions));

  server.post('/api/messages', async (req, res) => {
    const problem = activityProblem(req.body);
    if (problem) {
      logger.warn('Refused a malformed activity', { problem });
      res.send(400, { error: problem });
      return;
    }
    try {
      await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
    } catch (error) {
      logger.error('Could not process an incoming activity', { error: String(error) });
      if (!res.headersSent) res.send(500, { error: 'The bot could not process this activity.' });
    }
  });

  // The Agents Playground (and some uptime checks) probe the endpoint with HEAD before posting to it.
  server.head('/api/messages', async (_req, res) => {
    res.header('Allow', 'POST');
    res.send(200);
  });

  server.get('/healthz', async (_req, res) => {
    const status = await health.check().catch((error) => ({ ok: false, error: String(error) }));
    res.send(status.ok ? 200 : 503, status);
  });

  server.on('restifyError', (req, _res, error, callback) => {
    logger.warn('HTTP request refused', { method: req.method, url: req.url, status: error.statusCode, error: error.message });
    return callback();
  });
  return server;
}

/**
 * What botbuilder does not check before it acts on an activity: without a string type it fails with a
 * 500, and without an http(s) serviceUrl it would send its replies to the public Bot Framework.
 */
function activityProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'The body must be a Bot Framework activity (a JSON object).';
  const { type, serviceUrl } = body as { type?: unknown; serviceUrl?: unknown };
  if (typeof type !== 'string' || !type) return 'The activity has no type.';
  if (typeof serviceUrl !== 'string' || !/^https?:\/\/[^\s]+$/i.test(serviceUrl)) return 'The activity has no serviceUrl to answer to.';
  return undefined;
}
