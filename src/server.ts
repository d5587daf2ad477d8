import restify from 'restify';
import type { Activity } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from './domain/ports';
import type { LockboxAdapter } from './teams/bot';

export interface HealthSource {
  /** 200 when everything the bot needs answers; the body says what is wrong otherwise. */
  check(): Promise<{ ok: boolean; [key: string]: unknown }>;
}

/** The bot's HTTP surface: the Bot Framework messaging endpoint and a health probe. */
export function createServer(adapter: LockboxAdapter, app: Application<TurnState>, health: HealthSource, logger: Logger): restify.Server {
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
      await answer(adapter, req, res, (context) => app.run(context).then(() => undefined), logger);
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
 * What botbuilder's CloudAdapter.process does for a POST, after activityProblem has checked the body: it
 * would also build zod schemas for every request to check the same again, which cost more than the check.
 */
async function answer(adapter: LockboxAdapter, req: restify.Request, res: restify.Response, logic: Parameters<LockboxAdapter['processIncoming']>[2], logger: Logger): Promise<void> {
  res.header('User-Agent', adapter.userAgent);
  const authorization = req.headers.authorization;
  let status: number;
  let body: unknown;
  try {
    const invokeResponse = await adapter.processIncoming(typeof authorization === 'string' ? authorization : '', withDates(req.body as Activity), logic);
    [status, body] = [invokeResponse?.status ?? 200, invokeResponse?.body];
  } catch (error) {
    const refused = error instanceof AuthenticationError;
    if (refused) logger.warn('Refused an activity without a valid Bot Framework token', { error: String(error) });
    else logger.error('Could not process an incoming activity', { error: String(error) });
    [status, body] = [refused ? 401 : 500, (error as Error | undefined)?.message ?? error];
  }
  res.status(status);
  if (body) res.send(body);
  res.end();
}

/** Teams sends times as strings; botbuilder hands them to the bot as dates, keeping the sent text. */
function withDates(activity: Activity): Activity {
  const fields = activity as unknown as Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['expiration', 'rawExpiration'], ['localTimestamp', 'rawLocalTimestamp']] as const) {
    const value = fields[field];
    if (typeof value !== 'string') continue;
    fields[raw] = value;
    fields[field] = new Date(value);
  }
  return activity;
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
