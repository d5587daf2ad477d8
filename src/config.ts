import path from 'node:path';
import { z } from 'zod';
import type { SourceKind } from './domain/request';
import type { CredentialKind } from './http/credentials';
import { isLoopbackHttp, tableEndpointOf } from './store/table-endpoint';

/** Settings for the embedded simulated tenant, used when no real tenant is configured. */
export const SIMULATED_TENANT_ID = '00000000-0000-4000-8000-000000000001';
export const SIMULATED_SUBSCRIPTION_ID = '00000000-0000-4000-8000-00000000a2b1';

export interface Endpoints {
  arm: string;
  graph: string;
  exo: string;
  /** PagerDuty's Events API v2, the full URL events are posted to. */
  pagerDuty: string;
}

export const PUBLIC_CLOUD: Endpoints = {
  arm: 'https://management.azure.com',
  graph: 'https://graph.microsoft.com',
  exo: 'https://outlook.office365.com',
  pagerDuty: 'https://events.pagerduty.com/v2/enqueue',
};

/** The endpoints to call, once the simulator (if any) is listening at `simulatorUrl`. */
export function resolveEndpoints(config: Config, simulatorUrl: string | undefined): Endpoints {
  const base = simulatorUrl ? { arm: simulatorUrl, graph: simulatorUrl, exo: simulatorUrl, pagerDuty: `${simulatorUrl}/v2/enqueue` } : PUBLIC_CLOUD;
  return { ...base, ...config.endpoints };
}

/**
 * The token scope of each API, derived from where it is reached: a national cloud's hosts (e.g.
 * management.usgovcloudapi.net, microsoftgraph.chinacloudapi.cn) issue tokens for themselves, not for the public cloud.
 */
export function tokenScopes(endpoints: Pick<Endpoints, 'arm' | 'graph' | 'exo'>): Pick<Endpoints, 'arm' | 'graph' | 'exo'> {
  const scope = (url: string) => `${new URL(url).origin}/.default`;
  return { arm: scope(endpoints.arm), graph: scope(endpoints.graph), exo: scope(endpoints.exo) };
}

export type SimulatorMode = { kind: 'embedded'; port: number } | { kind: 'external'; url: string } | { kind: 'off' };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  pollIntervalSeconds: number;
  simulator: SimulatorMode;
  /** Explicit overrides; unset ones point at the simulator when there is one, else at Microsoft's public cloud. */
  endpoints: Partial<Endpoints>;
  playground: { enabled: boolean; port: number };
  bot: BotSettings;
  tenantId: string;
  sources: SourceKind[];
  /** Empty: watch every subscription the bot's identity can see. */
  azureSubscriptionIds: string[];
  azureCredential: CredentialKind;
  /** Client id of a user-assigned managed identity (AZURE_CLIENT_ID). */
  azureClientId?: string;
  appInsightsConnectionString?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How long one instance owns sending a decision before another may take over (a crashed one, say). */
  submissionLeaseSeconds: number;
  /** An Entra group whose members also get every request card (they can decide only if they hold a role). */
  notifyGroupId?: string;
  /** An Entra group whose members get activity-feed pushes for every new request and reminder. */
  onCallGroupId?: string;
  /** Activity-feed notifications (TeamsActivity.Send): on by default. */
  notifications: boolean;
  /** Reminders at these shares of a request's lifetime, and for Microsoft 365 this long before expiry. */
  reminders: { elapsedFractions: number[]; m365BeforeExpiryMs: number };
  /** PagerDuty paging for every request (an Events API v2 integration key); absent when not configured. */
  pagerDuty?: { routingKey: string };
  /** The Teams app's manifest id, so the bot can install itself for approvers who never opened it. */
  teamsAppId?: string;
  /** Microsoft 365 decisions from Teams ('teams'), or cards that only inform and link the admin center ('admin-center'). */
  m365Decisions: 'teams' | 'admin-center';
  /** Dual control: an approval needs two different approvers. */
  requireTwoApprovers: boolean;
  /** An Azure request can be approved only with a matching open support case of ours. */
  requireOpenSupportCase: boolean;
  /** How long a role check's answer is reused; a revoked role stops working within this time. */
  roleCacheSeconds: number;
  /** Where state lives: SQLite in DATA_DIR for one instance, or Azure Table Storage shared by every instance. */
  store: StoreSettings;
  /** Table store only: how long the watcher's leader lease lasts, so a dead leader is replaced within about this time. */
  leaderLeaseSeconds: number;
}

export type StoreSettings = { kind: 'sqlite' } | { kind: 'table'; connection: { endpoint: string } | { connectionString: string } };

export interface BotSettings {
  id: string;
  password: string;
  tenantId: string;
  type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi';
  /**
   * For sovereign clouds and tests; unset ones keep Microsoft's public Bot Framework values.
   * BOT_OPENID_METADATA_URL: where the keys that sign incoming activities are published (ToBotFromChannelOpenIdMetadataUrl).
   * BOT_TOKEN_ISSUER: the `iss` incoming tokens must carry (ToBotFromChannelTokenIssuer).
   * BOT_LOGIN_URL: the Entra authority, tenant included, the bot gets its own token from (ToChannelFromBotLoginUrl),
   * with a client-credentials request for BOT_ID and BOT_PASSWORD.
   */
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
  loginUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly setting: string, expected: string, got: string | undefined) {
    super(`Setting ${setting}: expected ${expected}${got === undefined ? ', but it is not set' : `, got "${got}"`}.`);
  }
}

type Env = Record<string, string | undefined>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u));
/** Keys and tokens travel over it: https, or http only to this machine. */
const secureUrl = httpUrl.refine((u) => u.startsWith('https://') || LOOPBACK.has(new URL(u).hostname.replace(/^\[|\]$/g, '')));

/** Reads one optional setting: blank counts as unset; a bad value stops start-up with the setting's name. */
function readOptional<T>(env: Env, name: string, expected: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(name, expected, raw);
  return parsed.data;
}

/** Reads one setting, falling back to a default; with no default, an unset setting stops start-up. */
function read<T>(env: Env, name: string, expected: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, fallback?: T): T {
  const value = readOptional(env, name, expected, schema) ?? fallback;
  if (value === undefined) throw new ConfigError(name, expected, undefined);
  return value;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const port = z.coerce.number().int().min(0).max(65535);
const list = <T>(item: z.ZodType<T>) => z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(item).min(1));

export function loadConfig(env: Env = process.env): Config {
  const tenantConfigured = Boolean(env.TENANT_ID?.trim());
  const simulator = readSimulator(env, tenantConfigured);
  const simulated = simulator.kind !== 'off';
  const endpoint = (name: string) => readOptional(env, name, 'an http(s) URL', httpUrl.transform((u) => u.replace(/\/+$/, '')));

  const bot = {
    id: read(env, 'BOT_ID', 'the bot\'s Microsoft app id (a GUID)', guid, ''),
    password: env.BOT_PASSWORD ?? '',
    tenantId: read(env, 'BOT_TENANT_ID', 'a tenant id (a GUID)', guid, ''),
    type: read(env, 'BOT_TYPE', 'MultiTenant, SingleTenant or UserAssignedMsi', z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMsi']), 'MultiTenant'),
    ...definedOnly({
      openIdMetadataUrl: readOptional(env, 'BOT_OPENID_METADATA_URL', 'an https URL (http only on loopback)', secureUrl),
      tokenIssuer: readOptional(env, 'BOT_TOKEN_ISSUER', 'the issuer (iss) of the tokens the channel sends', z.string()),
      loginUrl: readOptional(env, 'BOT_LOGIN_URL', 'an https URL (http only on loopback)', secureUrl.transform((u) => u.replace(/\/+$/, ''))),
    }),
  };
  if (bot.type === 'UserAssignedMsi' && (!bot.id || !bot.tenantId)) throw new ConfigError(bot.id ? 'BOT_TENANT_ID' : 'BOT_ID', 'a GUID when BOT_TYPE is UserAssignedMsi', undefined);
  if (bot.type === 'SingleTenant' && bot.id && !bot.tenantId) throw new ConfigError('BOT_TENANT_ID', 'a tenant id when BOT_TYPE is SingleTenant', undefined);

  const config: Config = {
    port: read(env, 'PORT', 'a port number (0-65535)', port, 3978),
    host: read(env, 'HOST', 'a host name or address to listen on', z.string().min(1), simulated ? '127.0.0.1' : '0.0.0.0'),
    dataDir: path.resolve(read(env, 'DATA_DIR', 'a directory path', z.string().min(1), './.data')),
    pollIntervalSeconds: read(env, 'POLL_INTERVAL_SECONDS', 'a number of seconds between 1 and 3600', z.coerce.number().min(1).max(3600), simulated ? 5 : 30),
    simulator,
    endpoints: definedOnly({
      arm: endpoint('ARM_ENDPOINT'),
      graph: endpoint('GRAPH_ENDPOINT'),
      exo: endpoint('EXO_ENDPOINT'),
      pagerDuty: readOptional(env, 'PAGERDUTY_EVENTS_URL', 'the URL of PagerDuty\'s Events API v2 (https; http only on loopback)', secureUrl),
    }),
    playground: {
      enabled: read(env, 'PLAYGROUND', 'on or off', z.enum(['on', 'off']), simulated ? 'on' : 'off') === 'on',
      port: read(env, 'PLAYGROUND_PORT', 'a port number (0-65535)', port, 56150),
    },
    bot,
    tenantId: read(env, 'TENANT_ID', 'your Microsoft Entra tenant id (a GUID)', guid, simulated ? SIMULATED_TENANT_ID : undefined),
    sources: read(env, 'LOCKBOX_SOURCES', 'a comma-separated list of: azure, m365', list(z.enum(['azure', 'm365'])), (simulated ? ['azure', 'm365'] : ['azure']) as SourceKind[]),
    azureSubscriptionIds: read(env, 'AZURE_SUBSCRIPTION_IDS', 'a comma-separated list of subscription ids (GUIDs)', list(guid), simulated ? [SIMULATED_SUBSCRIPTION_ID] : []),
    azureCredential: read(env, 'AZURE_CREDENTIAL', 'default, managed-identity, environment or cli', z.enum(['default', 'managed-identity', 'environment', 'cli']), 'default'),
    azureClientId: readOptional(env, 'AZURE_CLIENT_ID', 'the client id of the managed identity or app registration (a GUID)', guid),
    appInsightsConnectionString: readOptional(env, 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)', z.string().regex(/(^|;)\s*InstrumentationKey=[0-9a-f-]{36}\s*(;|$)/i)),
    submissionLeaseSeconds: read(env, 'SUBMISSION_LEASE_SECONDS', 'a number of seconds from 5 to 600', z.coerce.number().int().min(5).max(600), 60),
    notifyGroupId: readOptional(env, 'NOTIFY_GROUP_ID', 'the object id of an Entra group (a GUID)', guid),
    onCallGroupId: readOptional(env, 'ONCALL_GROUP_ID', 'the object id of an Entra group (a GUID)', guid),
    notifications: read(env, 'NOTIFICATIONS', 'on or off', z.enum(['on', 'off']), 'on') === 'on',
    reminders: {
      elapsedFractions: read(env, 'REMINDER_PERCENTS', 'comma-separated percentages of a request\'s lifetime between 1 and 99, e.g. 50,80', list(z.coerce.number().int().min(1).max(99)), [50, 80]).map((p: number) => p / 100),
      m365BeforeExpiryMs: read(env, 'REMINDER_M365_MINUTES_BEFORE_EXPIRY', 'minutes between 0 (none) and 660', z.coerce.number().int().min(0).max(660), 60) * 60_000,
    },
    ...definedOnly({ pagerDuty: readPagerDuty(env) }),
    teamsAppId: readOptional(env, 'TEAMS_APP_ID', "the Teams app's manifest id (a GUID)", guid),
    m365Decisions: read(env, 'M365_DECISIONS', 'teams or admin-center', z.enum(['teams', 'admin-center']), 'teams'),
    requireTwoApprovers: read(env, 'REQUIRE_TWO_APPROVERS', 'true or false', z.enum(['true', 'false']), 'false') === 'true',
    requireOpenSupportCase: read(env, 'REQUIRE_OPEN_SUPPORT_CASE', 'true or false', z.enum(['true', 'false']), 'false') === 'true',
    roleCacheSeconds: read(env, 'ROLE_CACHE_SECONDS', 'a number of seconds from 0 (no cache) to 60', z.coerce.number().int().min(0).max(60), 30),
    store: readStore(env),
    leaderLeaseSeconds: read(env, 'LEADER_LEASE_SECONDS', 'a number of seconds from 3 to 300', z.coerce.number().int().min(3).max(300), 30),
    logLevel: read(env, 'LOG_LEVEL', 'debug, info, warn or error', z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  };
  // Without an app id the adapter accepts unsigned activities: fine on loopback, never on a network.
  if (!bot.id && !simulated && !LOOPBACK.has(config.host)) {
    throw new ConfigError('BOT_ID', "the bot's Microsoft app id when serving a real tenant on a network address (HOST)", undefined);
  }
  return config;
}

function readSimulator(env: Env, tenantConfigured: boolean): SimulatorMode {
  const value = read(env, 'SIMULATOR', 'embedded, off, or the URL of a running simulator',
    z.union([z.enum(['embedded', 'off']), httpUrl]), tenantConfigured ? 'off' : 'embedded');
  if (value === 'off') return { kind: 'off' };
  if (value === 'embedded') return { kind: 'embedded', port: read(env, 'SIMULATOR_PORT', 'a port number (0-65535)', port, 3979) };
  return { kind: 'external', url: value.replace(/\/+$/, '') };
}

/** A connection string holds the account key, so an error names the setting but never echoes the value. */
const HIDDEN = '(a secret, not shown)';

/** The routing key is a secret: an error names the setting and what it should look like, never the value. */
function readPagerDuty(env: Env): Config['pagerDuty'] {
  const routingKey = env.PAGERDUTY_ROUTING_KEY?.trim();
  if (!routingKey) return undefined;
  if (!/^[A-Za-z0-9]{32}$/.test(routingKey)) throw new ConfigError('PAGERDUTY_ROUTING_KEY', 'the 32-character integration key of a PagerDuty "Events API v2" integration', HIDDEN);
  return { routingKey };
}

function readStore(env: Env): StoreSettings {
  if (read(env, 'STATE_STORE', 'sqlite or table', z.enum(['sqlite', 'table']), 'sqlite') === 'sqlite') return { kind: 'sqlite' };
  const endpoint = readOptional(env, 'AZURE_TABLES_ENDPOINT', 'the Table service URL, https://<account>.table.core.windows.net (http only to a loopback emulator)',
    httpUrl.refine((u) => u.startsWith('https://') || isLoopbackHttp(u)));
  const connectionString = env.AZURE_TABLES_CONNECTION_STRING?.trim() || undefined;
  if (endpoint && connectionString) throw new ConfigError('AZURE_TABLES_CONNECTION_STRING', 'to be unset when AZURE_TABLES_ENDPOINT is set (one or the other)', HIDDEN);
  if (endpoint) return { kind: 'table', connection: { endpoint } };
  if (!connectionString) throw new ConfigError('AZURE_TABLES_ENDPOINT', 'the Table service URL (or AZURE_TABLES_CONNECTION_STRING) when STATE_STORE is table', undefined);
  const target = tableEndpointOf(connectionString);
  if (!target || !(target.startsWith('https://') || isLoopbackHttp(target))) {
    throw new ConfigError('AZURE_TABLES_CONNECTION_STRING', 'an Azure Storage connection string with an https table endpoint (http only to a loopback Azurite)', HIDDEN);
  }
  return { kind: 'table', connection: { connectionString } };
}
