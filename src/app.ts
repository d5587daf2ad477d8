import path from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { resolveEndpoints, type Config } from './config';
import { GraphDirectory } from './directory/graph-directory';
import type { Clock, LockboxSource, Logger } from './domain/ports';
import type { SourceKind } from './domain/request';
import { pollOnce } from './domain/usecases/poll';
import { SimulatorCredential } from './http/credentials';
import { JsonClient } from './http/json-client';
import { AzureLockboxSource } from './lockbox/azure/source';
import { createLogger } from './runtime/logger';
import { createTelemetry } from './runtime/telemetry';
import { WatcherLoop } from './runtime/watcher-loop';
import { createServer } from './server';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator';
import { SqliteStore } from './store/sqlite';
import { createAdapter, createBot } from './teams/bot';
import type { TeamsDeps } from './teams/deps';
import { TeamsMessenger } from './teams/messenger';

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Passed to the embedded simulator, e.g. a seed or when to create the first request. */
  simulator?: Omit<SimulatorOptions, 'port' | 'host'>;
  answerBudgetMs?: number;
  /** Tests drive polls themselves with `watcher.runOnce()`; installs still kick one. */
  autoPoll?: boolean;
}

export interface RunningBot {
  url: string;
  port: number;
  simulator?: RunningSimulator;
  /** Where Microsoft's APIs are reached: the simulator's URL or the public cloud. */
  simulatorUrl?: string;
  watcher: WatcherLoop;
  verbs: string[];
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** The composition root: builds every adapter from configuration and starts the server and the watcher. */
export async function startLockboxBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const telemetry = await createTelemetry(config.appInsightsConnectionString, logger);

  let simulator: RunningSimulator | undefined;
  if (config.simulator.kind === 'embedded') {
    simulator = await startSimulator({ autoCreateAfterMs: 3000, logger, ...options.simulator, port: config.simulator.port, host: '127.0.0.1' });
  }
  const simulatorUrl = simulator?.url ?? (config.simulator.kind === 'external' ? config.simulator.url : undefined);
  const endpoints = resolveEndpoints(config, simulatorUrl);
  const credential: TokenCredential = simulatorUrl ? new SimulatorCredential() : new DefaultAzureCredential();
  const arm = new JsonClient({ baseUrl: endpoints.arm, credential, scope: 'https://management.azure.com/.default' });
  const graph = new JsonClient({ baseUrl: endpoints.graph, credential, scope: 'https://graph.microsoft.com/.default' });

  const store = SqliteStore.open(path.join(config.dataDir, 'lockbox.sqlite'));
  const sources = new Map<SourceKind, LockboxSource>();
  if (config.sources.includes('azure')) {
    sources.set('azure', new AzureLockboxSource({ client: arm, subscriptionIds: config.azureSubscriptionIds, tenantId: config.tenantId, logger }));
  }

  const adapter = createAdapter(config.bot, logger);
  const deps: TeamsDeps = {
    store,
    sources,
    directory: new GraphDirectory(graph, arm),
    messenger: new TeamsMessenger(adapter, config.bot.id, clock),
    clock,
    logger,
    telemetry,
    tenantId: config.tenantId,
    kickWatcher: () => watcher.kick(),
    answerBudgetMs: options.answerBudgetMs ?? 2000,
  };
  const { app, verbs } = createBot(adapter, config.bot.id, deps);
  const watcher = new WatcherLoop(() => pollOnce(deps), config.pollIntervalSeconds * 1000, logger);

  const health = {
    async check() {
      const storeOk = await store.ping().then(() => true, () => false);
      const last = watcher.lastReport;
      return { ok: storeOk && (last?.ok ?? true), store: storeOk ? 'ok' : 'unreachable', lastPoll: last ?? null };
    },
  };
  const server = createServer(adapter, app, health, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  if (options.autoPoll !== false) watcher.start();

  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    port,
    simulator,
    simulatorUrl,
    watcher,
    verbs,
    async close() {
      await watcher.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await simulator?.close();
      await store.close();
    },
  };
}
