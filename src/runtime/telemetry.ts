import { format } from 'node:util';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { Logger, Telemetry } from '../domain/ports';

/** A telemetry port that can also push out what it still holds, for the bot's close(). */
export interface FlushableTelemetry extends Telemetry {
  flush(): Promise<void>;
}

export const noTelemetry: FlushableTelemetry = { event() {}, exception() {}, flush: async () => {} };

/** Application Insights when a connection string is configured; it also records HTTP dependencies and requests on its own. */
export async function createTelemetry(connectionString: string | undefined, logger: Logger): Promise<FlushableTelemetry> {
  if (!connectionString) return noTelemetry;
  const appInsights = await import('applicationinsights');
  appInsights.setup(connectionString).setAutoCollectConsole(false).setSendLiveMetrics(false).start();
  // start() deletes OpenTelemetry's globals, the SDK's own diagnostics logger with them, so an
  // ingestion endpoint that rejects or cannot be reached would otherwise fail without a word.
  diag.setLogger(diagnosticsTo(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const client = appInsights.defaultClient;
  logger.info('Telemetry is on (Application Insights)');
  return {
    event: (name, properties) => client.trackEvent({ name, properties }),
    exception: (error, properties) => client.trackException({ exception: error instanceof Error ? error : new Error(String(error)), properties }),
    // The SDK exports in timed batches, so a process that stops without this loses the latest items.
    flush: () => client.flush(),
  };
}

function diagnosticsTo(logger: Logger): DiagLogger {
  const to = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => logger[level](`Application Insights: ${format(message, ...args)}`);
  return { error: to('error'), warn: to('warn'), info() {}, debug() {}, verbose() {} };
}
