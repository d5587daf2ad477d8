import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import packageJson from '../package.json';
import { resolveEndpoints, tokenScopes, type Config } from './config';
import { CachedDirectory } from './directory/cached-directory';
import { GraphDirectory } from './directory/graph-directory';
import { GraphInstaller } from './directory/graph-installer';
import type { Clock, LockboxSource, Logger } from './domain/ports';
import type { SourceKind } from './domain/request';
import { pollOnce } from './domain/usecases/poll';
import { requeueUpdatesInFlight, sendQueued } from './domain/usecases/deliver';
import { createCredential, SimulatorCredential } from './http/credentials';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { JsonClient } from './http/json-client';
import { AzureLockboxSource } from './lockbox/azure/source';
import { ArmSubscriptions } from './lockbox/azure/subscriptions';
import { M365LockboxSource } from './lockbox/m365/source';
import { AzureSupportCases } from './support-cases/azure-support-cases';
import { CachedSupportCases } from './support-cases/cached-support-cases';
import { GraphPeople } from './directory/graph-people';
import { CardBudget } from './teams/card-budget';
import { TeamsCaseOpenerCards } from './teams/case-opener-cards';
import { LeaderElection } from './runtime/leader-election';
import { systemClock } from './runtime/clock';
import { createLogger } from './runtime/logger';
import { createTelemetry } from './runtime/telemetry';
import { WatcherLoop } from './runtime/watcher-loop';
import { DeliveryWorker } from './runtime/delivery-worker';
import { Foreground } from './runtime/foreground';
import { createServer } from './server';
import { SIMULATED_TENANT_FILE, startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator';
import { openStore } from './store/open';
import { withDeadlines } from './store/timed-store';
import { createAdapter, createBot } from './teams/bot';
import type { TeamsDeps } from './teams/deps';
import { TeamsMessenger } from './teams/messenger';
import { chatDeepLink, GraphActivityFeed } from './teams/activity-feed';
import { TeamsInfoPoster } from './teams/info-poster';
import { TeamsReminderPoster } from './teams/reminder-poster';
import { PagerDutyEvents } from './paging/pagerduty';
import { GraphOnCallRoster } from './directory/on-call-roster';

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Passed to the embedded simulator, e.g. a seed or when to create the first request. */
  simulator?: Omit<SimulatorOptions, 'port' | 'host'>;
  answerBudgetMs?: number;
  /** Deadline of every store call (default 5 s). */
  storeTimeoutMs?: number;
  /** Pages the directory reads per listing before its safety stop (tests make it small to reach it). */
  directoryMaxPages?: number;
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
  /** Sends the queued cards at Teams' pace, apart from the watcher's cycle. */
  deliveries: DeliveryWorker;
  verbs: string[];
  close(): Promise<void>;
}

/** A store call that takes longer has failed; the watcher and clicks see StoreUnavailable. */
const STORE_TIMEOUT_MS = 5000;
/** /healthz answers within 2 s: this much for the store's ping, the rest for the counts. */
const HEALTH_STORE_MS = 1200;

function within<T, F>(ms: number, work: Promise<T>, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** New subscriptions are picked up within this time when AZURE_SUBSCRIPTION_IDS is left empty. */
const SUBSCRIPTION_REFRESH_MS = 30 * 60_000;
/** A case's answer is shared by its cards, clicks and polls for this long. */
const SUPPORT_CASE_CACHE_MS = 2 * 60_000;

/** The composition root: builds every adapter from configuration and starts the server and the watcher. */
export async function startLockboxBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const telemetry = await createTelemetry(config.appInsightsConnectionString, logger);

  let simulator: RunningSimulator | undefined;
  if (config.simulator.kind === 'embedded') {
    simulator = await startSimulator({
      autoCreateAfterMs: 3000,
      logger,
      stateFile: path.join(config.dataDir, SIMULATED_TENANT_FILE),
      ...options.simulator,
      port: config.simulator.port,
      host: '127.0.0.1',
    });
  }
  const simulatorUrl = simulator?.url ?? (config.simulator.kind === 'external' ? config.simulator.url : undefined);
  const endpoints = resolveEndpoints(config, simulatorUrl);
  const { arm: ARM, graph: GRAPH, exo: EXO_SCOPE } = tokenScopes(endpoints);
  const credential: TokenCredential = simulatorUrl ? new SimulatorCredential(clock) : createCredential(config.azureCredential, config.azureClientId);
  // Azure SDK spans only where Application Insights records them.
  const tracing = Boolean(config.appInsightsConnectionString);
  // One pool of kept-alive connections for every client: a click's decision and read-back reuse its role check's.
  const httpClient = createDefaultHttpClient();
  const client = (baseUrl: string, scope: string, tuning: Partial<ConstructorParameters<typeof JsonClient>[0]> = {}) =>
    new JsonClient({ baseUrl, credential, scope, allowLoopbackHttp: Boolean(simulatorUrl), tracing, httpClient, ...tuning });
  // A decision call must end well within the lease, or another instance could send it again.
  const decisionTuning = { maxRetries: 0, timeoutMs: Math.min(20_000, (config.submissionLeaseSeconds * 1000) / 2) };
  const arm = client(endpoints.arm, ARM);
  // Role checks happen while a person waits on a click: short timeouts, one retry, then fail closed.
  const quick = { timeoutMs: 2000, maxRetries: 1, retryDelayMs: 200 };
  const graphDirectory = new GraphDirectory(client(endpoints.graph, GRAPH, quick), client(endpoints.arm, ARM, quick), { logger, clock, maxPages: options.directoryMaxPages });
  const installer = config.teamsAppId ? new GraphInstaller(client(endpoints.graph, GRAPH), config.teamsAppId, logger) : undefined;
  // Only news with a real tenant: locally the Playground opens the chat itself.
  if (!installer && !simulatorUrl) logger.info('TEAMS_APP_ID is not set: approvers get cards once they have opened the bot in Teams');
  const directory = new CachedDirectory(graphDirectory, config.roleCacheSeconds * 1000, clock);

  // Every store call has a deadline: a frozen store fails callers fast instead of holding clicks and probes.
  const { store, timings: storeTimings } = withDeadlines(await openStore(config, clock), { timeoutMs: options.storeTimeoutMs ?? STORE_TIMEOUT_MS, clock, logger });
  const sources = new Map<SourceKind, LockboxSource>();
  let supportCases: CachedSupportCases | undefined;
  if (config.sources.includes('azure')) {
    const decisionClient = client(endpoints.arm, ARM, decisionTuning);
    // Named subscriptions are watched as named; the listing adds the display names cards and refusals show.
    const named = config.azureSubscriptionIds.length ? config.azureSubscriptionIds : undefined;
    const subscriptions = new ArmSubscriptions(arm, SUBSCRIPTION_REFRESH_MS, () => clock.now().getTime(), named);
    sources.set('azure', new AzureLockboxSource({ client: arm, decisionClient, subscriptions, tenantId: config.tenantId, logger }));
    // Cards and clicks wait for a case only within a budget, so the look-up itself may take a little longer.
    const lookups = client(endpoints.arm, ARM, { timeoutMs: 5000, maxRetries: 1, retryDelayMs: 500 });
    supportCases = new CachedSupportCases(new AzureSupportCases(lookups, subscriptions, () => clock.now()), SUPPORT_CASE_CACHE_MS, clock);
  }
  if (config.sources.includes('m365')) {
    sources.set('m365', new M365LockboxSource({
      client: client(endpoints.exo, EXO_SCOPE),
      decisionClient: client(endpoints.exo, EXO_SCOPE, decisionTuning),
      tenantId: config.tenantId,
      decideInPortal: config.m365Decisions === 'admin-center',
      logger,
      clock,
    }));
  }

  const pager = config.pagerDuty && new PagerDutyEvents({
    client: new JsonClient({ baseUrl: endpoints.pagerDuty, allowLoopbackHttp: true, retryStatuses: [429], tracing, httpClient }),
    eventsUrl: endpoints.pagerDuty,
    routingKey: config.pagerDuty.routingKey,
    chatLink: chatDeepLink(config.bot.id, config.teamsAppId),
    clock,
  });

  const adapter = createAdapter(config.bot, logger, clock);
  const cardBudget = new CardBudget(logger, clock);
  adapter.use(cardBudget);
  // Card clicks (invokes) are answered ahead of the background work they cause; proactive turns are not counted.
  const foreground = new Foreground();
  adapter.use(foreground.middleware());
  const messenger = new TeamsMessenger(adapter, config.bot.id, clock, { logger });
  const deps: TeamsDeps = {
    store,
    sources,
    directory,
    messenger,
    clock,
    logger,
    telemetry,
    tenantId: config.tenantId,
    requireTwoApprovers: config.requireTwoApprovers,
    supportCases,
    requireOpenSupportCase: config.requireOpenSupportCase,
    ...(supportCases ? { people: new GraphPeople(client(endpoints.graph, GRAPH, quick)), caseOpenerCards: new TeamsCaseOpenerCards(messenger) } : {}),
    submissionLeaseMs: config.submissionLeaseSeconds * 1000,
    installer,
    pager,
    ...(config.notifications
      ? {
          // Graph answers 412 when the app's token expires within 45 minutes: a fresh one and one more try.
          notifier: new GraphActivityFeed(client(endpoints.graph, GRAPH, { freshTokenOnStatus: 412 }), chatDeepLink(config.bot.id, config.teamsAppId), clock),
          onCall: config.onCallGroupId ? new GraphOnCallRoster(graphDirectory, config.onCallGroupId) : undefined,
          notifyGroup: config.notifyGroupId ? new GraphOnCallRoster(graphDirectory, config.notifyGroupId) : undefined,
          infoPoster: new TeamsInfoPoster(store, messenger),
          reminderPoster: new TeamsReminderPoster(store, messenger, clock),
          reminders: config.reminders,
        }
      : {}),
    wakeDeliveries: () => deliveries.wake(),
    whenQuiet: () => foreground.quiet(),
    kickWatcher: () => {
      if (!election || election.isLeader()) watcher.kick();
    },
    answerBudgetMs: options.answerBudgetMs ?? 2000,
    lastPoll: () => watcher.lastReport,
    version: packageJson.version,
    newId: randomUUID,
  };
  const { app, verbs } = createBot(adapter, config.bot.id, deps);
  const deliveries = new DeliveryWorker({ store, clock, logger, send: (item) => sendQueued(deps, item), recover: () => requeueUpdatesInFlight(deps), yieldTo: () => foreground.quiet() });
  // Following hundreds of open requests must not delay the next detection: each cycle follows for at most
  // half an interval, and the next carries on where it stopped.
  let followedUpTo: string | undefined;
  const cycle = async () => {
    const report = await pollOnce(deps, { followUpBudgetMs: config.pollIntervalSeconds * 500, startAfter: followedUpTo });
    followedUpTo = report.followedUpTo;
    // First cards, information cards, reminders and card updates the cycle queued go at once.
    deliveries.wake();
    return report;
  };
  const watcher = new WatcherLoop(cycle, config.pollIntervalSeconds * 1000, logger, () => deliveries.settled());
  // Instances sharing a Table store all answer clicks, but only the lease holder polls and posts cards.
  const election = config.store.kind === 'table' && options.autoPoll !== false
    ? new LeaderElection({
      store,
      name: 'watcher',
      holder: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      ttlMs: config.leaderLeaseSeconds * 1000,
      clock,
      logger,
      onGain: () => {
        watcher.start();
        deliveries.start();
      },
      onLoss: async () => {
        await watcher.stop();
        await deliveries.stop();
      },
    })
    : undefined;

  const directoryPaging = () => {
    const limit = graphDirectory.pagingLimitReached();
    return limit ? { complete: false, limitReached: limit } : { complete: true };
  };
  const health = {
    async check() {
      // The probe answers within HEALTH_BUDGET_MS whatever the store does: a slow store is news, not a hang.
      const storeState = await within(HEALTH_STORE_MS, store.ping().then(() => 'ok' as const, () => 'unreachable' as const), 'slow' as const);
      const storeOk = storeState === 'ok';
      const last = watcher.lastReport;
      // Only a broken store makes this instance useless; a failing upstream shows in lastPoll without
      // App Service's health check recycling an instance that cannot fix Microsoft's answer.
      const role = !election || election.isLeader() ? 'leader' : 'follower';
      // The probe is reachable by anyone: it says what fails, not the error texts or subscription ids
      // (those are in the log and in /lockbox status, for people of the organisation).
      const lastPoll = last && {
        at: last.at,
        ok: last.ok,
        sources: last.sources.map((s) => ({ source: s.source, ok: s.ok, failingScopes: s.failures.length, skippedRecords: s.skippedRecords })),
      };
      const queued = storeOk ? await within(HEALTH_STORE_MS / 2, store.countDeliveries().catch(() => null), null) : null;
      const leaseOk = election?.health().ok ?? true;
      return { ok: storeOk && leaseOk, store: storeState, storeTimeouts: storeTimings(), leaderLease: election?.health() ?? null, stateStore: config.store.kind, role, pollOk: last?.ok ?? null, installPermission: installer?.permission ?? 'not-configured', pagerDuty: pager?.health() ?? { state: 'not-configured' }, directoryPaging: directoryPaging(), lastPoll: lastPoll ?? null, deliveriesQueued: queued, cardsTooLarge: { ...messenger.health(), ...cardBudget.health() } };
    },
  };
  const server = createServer(adapter, app, health, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  if (election) await election.start();
  else {
    deliveries.start();
    if (options.autoPoll !== false) watcher.start();
  }

  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    port,
    simulator,
    simulatorUrl,
    watcher,
    deliveries,
    verbs,
    async close() {
      await election?.stop();
      await watcher.stop();
      await deliveries.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await simulator?.close();
      await store.close();
      // The last events matter most when something went wrong; wait a little for them, not forever.
      await Promise.race([telemetry.flush(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    },
  };
}
