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
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    try {
      await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
    } catch (error) {
      logger.error('Could not process an incoming activity', { error: String(error) });
      if (!res.headersSent) res.send(500, { error: 'The bot could not process this activity.' });
    }
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
