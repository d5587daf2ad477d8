import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLockboxBot, type RunningBot, type StartOptions } from '../../src/app';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/runtime/logger';
import { DEFAULT_SEED, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator';
import type { AuditEntry, CardCopy } from '../../src/domain/ports';
import { SqliteStore } from '../../src/store/sqlite';
import { canonicalKey } from '../../src/domain/request';
import { startFakeConnector, type FakeConnector } from './fake-connector';
import type { TeamsUser } from './activities';

export const TENANT_ID = DEFAULT_SEED.tenantId;
export const SUBSCRIPTION_ID = DEFAULT_SEED.subscriptions[0]!;
const user = (id: string, name: string): TeamsUser => ({ aadObjectId: id, name });
/** The seeded directory's people, as Teams identifies them. */
export const USERS = {
  alex: user('00000000-0000-4000-8000-000000000020', 'Alex Wilber'),
  megan: user('00000000-0000-4000-8000-000000000021', 'Megan Bowen'),
  adele: user('00000000-0000-4000-8000-000000000022', 'Adele Vance'),
  /** Owner of the seeded subscription: with Alex, the approvers of its Azure requests (Megan, a Global Administrator, is not). */
  isaiah: user('00000000-0000-4000-8000-000000000023', 'Isaiah Langer'),
};

export interface Harness {
  bot: RunningBot;
  simulator: RunningSimulator;
  connector: FakeConnector;
  dataDir: string;
  post(activity: object): Promise<{ status: number; body: any }>;
  /** Reads the simulator's admin API, e.g. `/_simulator/lockbox/requests/{id}`. */
  admin(path: string): Promise<any>;
  /** Stops the bot, runs `whileStopped` (e.g. to change its store as another build would have), starts it again. */
  restartBot(whileStopped?: () => Promise<void> | void): Promise<void>;
  /** The copies of a request's card the bot keeps up to date, read from its SQLite file. */
  cards(requestKey: string): Promise<CardCopy[]>;
  /** The audit trail the bot keeps, read from its SQLite file, newest first. */
  audit(requestKey?: string): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/**
 * The whole system on loopback: the simulated tenant, a fake Bot Connector, and the real bot
 * (restify, CloudAdapter, teams-ai, SQLite in a temp dir), each on an ephemeral port.
 * The watcher's interval is long, so tests drive polls with `bot.watcher.runOnce()`.
 */
export async function startHarness(options: { simulator?: SimulatorOptions; env?: Record<string, string>; bot?: StartOptions } = {}): Promise<Harness> {
  const simulator = await startSimulator({ port: 0, ...options.simulator });
  const connector = await startFakeConnector();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-bot-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SIMULATOR: simulator.url,
    PLAYGROUND: 'off',
    POLL_INTERVAL_SECONDS: '3600',
    ...options.env,
  });
  const readStore = async <T>(read: (store: SqliteStore) => Promise<T>): Promise<T> => {
    const reader = SqliteStore.open(path.join(dataDir, 'lockbox.sqlite'));
    try {
      return await read(reader);
    } finally {
      await reader.close();
    }
  };
  const start = () => startLockboxBot(config, { logger: silentLogger, answerBudgetMs: 2000, autoPoll: false, ...options.bot });
  const harness: Harness = {
    bot: await start(),
    simulator,
    connector,
    dataDir,
    async post(activity) {
      const response = await fetch(`${harness.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async admin(path) {
      const response = await fetch(`${simulator.url}${path}`);
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
      return response.json();
    },
    // Keys are stored in lower case (one request in any letter case); tests may spell them as Microsoft does.
    audit: (requestKey) => readStore((store) => store.listAudit({ requestKey: requestKey && canonicalKey(requestKey), limit: 1000 })),
    cards: (requestKey) => readStore((store) => store.listCards(canonicalKey(requestKey))),
    async restartBot(whileStopped) {
      await harness.bot.close();
      await whileStopped?.();
      harness.bot = await start();
    },
    async close() {
      await harness.bot.close();
      await connector.close();
      await simulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
