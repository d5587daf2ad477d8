import type { Logger, Telemetry } from '../domain/ports';

export const noTelemetry: Telemetry = { event() {}, exception() {} };

/** Application Insights when a connection string is configured; it also records HTTP dependencies and requests on its own. */
export async function createTelemetry(connectionString: string | undefined, logger: Logger): Promise<Telemetry> {
  if (!connectionString) return noTelemetry;
  const appInsights = await import('applicationinsights');
  appInsights.setup(connectionString).setAutoCollectConsole(false).setSendLiveMetrics(false).start();
  const client = appInsights.defaultClient;
  logger.info('Telemetry is on (Application Insights)');
  return {
    event: (name, properties) => client.trackEvent({ name, properties }),
    exception: (error, properties) => client.trackException({ exception: error instanceof Error ? error : new Error(String(error)), properties }),
  };
}
