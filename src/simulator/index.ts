import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallRecorder } from './calls';
import { FaultInjector } from './faults';
import { silentLogger, type SimulatorLogger } from './logger';
import { Router } from './router';
import { registerAdminRoutes } from './routes/admin';
import { registerAzureLockboxRoutes } from './routes/azure-lockbox';
import type { RouteDeps } from './routes/deps';
import { registerExoRoutes } from './routes/exo';
import { registerGraphRoutes } from './routes/graph';
import { registerRbacRoutes } from './routes/rbac';
import { registerSubscriptionRoutes } from './routes/subscriptions';
import { registerSupportAdminRoutes, registerSupportRoutes } from './routes/support';
import { registerGraphUserSearchRoutes } from './routes/graph-users';
import { registerActivityFeedRoutes } from './routes/activity-feed';
import { registerTeamworkRoutes } from './routes/teamwork';
import { registerPagerDutyRoutes } from './routes/pagerduty';
import { PagerDutyInbox } from './pagerduty';
import { DEFAULT_SEED, type TenantSeed } from './seed';
import { createRequestListener } from './server';
import { persistTenant } from './state-file';
import { TeamsChannel } from './teams-channel';
import { SimulatedTenant } from './tenant';

export { DEFAULT_SEED, SimulatedTenant, TeamsChannel };
/** The simulated tenant's file under DATA_DIR, beside the bot's own state. */
export const SIMULATED_TENANT_FILE = 'simulated-tenant.json';
export { DEFAULT_GROUPS, DEFAULT_TEAMS_APP } from './seed';
export type { TenantSeed, SimulatorLogger };
export type { SeedGroup, SeedTeamsApp, SeedUser } from './seed';
export type { DirectoryGroup, DirectoryObject, TeamsAppInstallation, TeamsCatalogApp } from './tenant';
export type { TeamsChannelConfig, TeamsDelivery } from './teams-channel';
export type { ArmLockboxRequest, LockboxRequestRecord, LockboxStatus, RecordedDecision } from './lockbox-model';
export type { M365Decision, M365RecordedDecision, M365RequestRecord, M365Service, M365Status } from './m365-model';
export { M365_REQUEST_LIFETIME_MS, toExoRecord } from './m365-model';
export type { RecordedCall } from './calls';
export type { FaultSpec, ActiveFault } from './faults';
export type { PagerDutyAlert, PagerDutyEvent } from './pagerduty';

export interface SimulatorOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: TenantSeed;
  /** Creates one Pending Azure request and one Pending Microsoft 365 request this long after start;
   * never when undefined, nor when the tenant continues from a saved state. */
  autoCreateAfterMs?: number;
  /** Items per list page before a next link. Default 50. */
  pageSize?: number;
  clock?: () => Date;
  logger?: SimulatorLogger;
  /** A JSON file the tenant is loaded from and saved to after every change; in memory only when undefined. */
  stateFile?: string;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  /** It continued from a saved state file, so it made up no new request at start. */
  restored: boolean;
  /** Direct access to the state, for tests. */
  tenant: SimulatedTenant;
  /** Where installations send the bot its conversationUpdate; settled() waits for those in flight. */
  teams: TeamsChannel;
  close(): Promise<void>;
}

/** One request of each kind, so a fresh `npm start` shows both; a kind that is switched off gets none. */
function autoCreateRequests(tenant: SimulatedTenant, logger: SimulatorLogger): void {
  const attempt = (kind: string, enabled: boolean, create: () => Record<string, unknown>): void => {
    if (!enabled) return logger.info(`simulator: ${kind} Customer Lockbox is off, no request created`);
    try {
      logger.info(`simulator: ${kind} lockbox request created`, create());
    } catch (err) {
      logger.warn(`simulator: could not create a ${kind} request`, { error: err instanceof Error ? err.message : String(err) });
    }
  };
  attempt('Azure', tenant.isLockboxEnabled(), () => {
    const supportCase = openDemoCase(tenant);
    const record = tenant.createRequest({ subscriptionId: supportCase?.subscriptionId, supportRequest: supportCase?.supportTicketId });
    return { requestId: record.requestId, subscriptionId: record.subscriptionId, supportRequest: record.supportRequest };
  });
  attempt('Microsoft 365', tenant.isM365LockboxEnabled(), () => {
    const record = tenant.createM365Request();
    return { requestId: record.requestId, serviceName: record.serviceName };
  });
}

/** A request follows a case someone opened: the last seeded person opened one two hours ago. */
function openDemoCase(tenant: SimulatedTenant) {
  const subscriptionId = tenant.listSubscriptions()[0];
  const opener = tenant.listUsers().at(-1);
  if (!subscriptionId || !opener) return undefined;
  const [firstName, ...rest] = opener.displayName.split(' ');
  return tenant.support.create({
    subscriptionId,
    createdDate: new Date(tenant.now().getTime() - 2 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    firstName,
    lastName: rest.join(' '),
    primaryEmailAddress: opener.userPrincipalName,
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const pageSize = options.pageSize ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  const logger = options.logger ?? silentLogger;
  const tenant = new SimulatedTenant(options.seed ?? DEFAULT_SEED, options.clock);
  const restored = options.stateFile !== undefined && persistTenant(tenant, options.stateFile, logger);
  if (restored) logger.info('simulator: continuing from the saved tenant state', { file: options.stateFile });
  const shutdown = new AbortController();
  const teams = new TeamsChannel(tenant.tenantId, logger, shutdown.signal, () => tenant.now());
  const pagerDuty = new PagerDutyInbox();
  const deps: RouteDeps = { tenant, pageSize, faults: new FaultInjector(), calls: new CallRecorder(), logger, shutdown: shutdown.signal, teams, pagerDuty };

  const upstream = new Router();
  registerAzureLockboxRoutes(upstream, deps);
  registerRbacRoutes(upstream, deps);
  registerSubscriptionRoutes(upstream, deps);
  registerGraphRoutes(upstream, deps);
  registerTeamworkRoutes(upstream, deps);
  registerActivityFeedRoutes(upstream, deps);
  registerExoRoutes(upstream, deps);
  registerSupportRoutes(upstream, deps);
  registerGraphUserSearchRoutes(upstream, deps);
  registerPagerDutyRoutes(upstream, deps);
  const admin = new Router();
  registerAdminRoutes(admin, deps);
  registerSupportAdminRoutes(admin, deps);

  let origin = '';
  const server = createServer(createRequestListener({ upstream, admin }, deps, () => origin));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('simulator: listening', { url: origin, tenantId: tenant.tenantId });

  let autoCreate: NodeJS.Timeout | undefined;
  // A restored tenant has its requests already; a restart adds none.
  if (options.autoCreateAfterMs !== undefined && !restored) {
    autoCreate = setTimeout(() => autoCreateRequests(tenant, logger), options.autoCreateAfterMs);
    autoCreate.unref();
  }

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    port,
    restored,
    tenant,
    teams,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        clearTimeout(autoCreate);
        shutdown.abort();
        tenant.onChange = () => undefined;
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (fetch keeps them) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
