/**
 * Posting one request card to each of N approvers (N personal chats) through the real TeamsMessenger
 * and CloudAdapter, against a fake Bot Connector that enforces Teams' rate limits and answers 429 when
 * they are exceeded. The connector runs in a child process, so the RSS measured is the bot's own.
 * Run: npm run bench:fanout [-- 1000]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Conversation } from '../src/domain/ports';
import type { TrackedRequest } from '../src/domain/tracked';
import { silentLogger } from '../src/runtime/logger';
import { createAdapter } from '../src/teams/bot';
import { TeamsMessenger } from '../src/teams/messenger';
import { startFakeConnector, TEAMS_RATE_LIMITS } from '../test/support/fake-connector';
import { pendingRequest } from '../test/support/fakes';

const TENANT_LIMIT_PER_SECOND = 50;

interface ConnectorStats {
  accepted: number;
  throttled: number;
  throttledAfterFirstSecond: number;
}

type FromConnector = { url: string } | { stats: ConnectorStats };

/** The child: a limit-enforcing fake connector that reports what it saw when asked. */
async function serveConnector(): Promise<void> {
  const connector = await startFakeConnector({ limits: TEAMS_RATE_LIMITS });
  process.send!({ url: connector.url });
  process.on('message', () => {
    const first = Math.min(...connector.calls.map((c) => c.at!), ...connector.refused.map((r) => r.at!));
    const throttled = connector.refused.filter((r) => r.cause === 'rate-limit');
    const stats: ConnectorStats = { accepted: connector.postedCards().length, throttled: throttled.length, throttledAfterFirstSecond: throttled.filter((r) => r.at! - first > 1000).length };
    process.send!({ stats }, () => void connector.close().then(() => process.exit(0)));
  });
}

function nextMessage(child: ChildProcess): Promise<FromConnector> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as FromConnector));
    child.once('exit', (code) => reject(new Error(`the connector exited with ${code}`)));
  });
}

function approverChat(serviceUrl: string, i: number): Conversation {
  const userId = `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;
  const conversationId = `a:personal-${userId}`;
  const reference = { serviceUrl, channelId: 'msteams', conversation: { id: conversationId }, bot: { id: '28:lockbox-bot' }, user: { id: `29:${userId}` } };
  return { userId, tenantId: 'tenant-1', conversationId, reference, updatedAt: new Date().toISOString() };
}

async function measure(count: number, mode: 'concurrent' | 'sequential') {
  const child = fork(__filename, ['--connector'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { url } = (await nextMessage(child)) as { url: string };
    const adapter = createAdapter({ id: '', password: '', tenantId: '', type: '' }, silentLogger);
    const messenger = new TeamsMessenger(adapter, '', { now: () => new Date() });
    const now = new Date().toISOString();
    const tracked: TrackedRequest = { key: 'azure:sub-1:fanout', request: pendingRequest(), firstSeenAt: now, updatedAt: now };
    const chats = Array.from({ length: count }, (_, i) => approverChat(url, i));

    const startRss = process.memoryUsage.rss();
    let peakRss = startRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
    const started = performance.now();
    let failed = 0;
    const post = (chat: Conversation) => messenger.postRequestCard(chat, tracked).catch(() => void failed++);
    if (mode === 'concurrent') await Promise.all(chats.map(post));
    else for (const chat of chats) await post(chat);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    child.send('stats');
    const { stats } = (await nextMessage(child)) as { stats: ConnectorStats };
    if (stats.accepted !== count || failed) throw new Error(`${mode}: ${stats.accepted} of ${count} cards landed, ${failed} posts failed`);
    const perSecond = count / seconds;
    return { mode, count, seconds, perSecond, fraction: perSecond / TENANT_LIMIT_PER_SECOND, ...stats, startRssMb: startRss / 2 ** 20, peakRssMb: peakRss / 2 ** 20 };
  } finally {
    child.kill();
  }
}

async function main() {
  const count = Number(process.argv[2] ?? 1000) || 1000;
  const rows = [await measure(count, 'concurrent'), await measure(count, 'sequential')];
  process.stdout.write(`fan-out of one card to ${count} personal chats, documented Teams limits enforced by a loopback fake connector\n\n`);
  process.stdout.write('| posting | cards | total time | sends/s | of 50/s | 429s | 429s after 1st s | RSS at start → peak |\n|---|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const r of rows) {
    process.stdout.write(
      `| ${r.mode} | ${r.count} | ${r.seconds.toFixed(2)} s | ${r.perSecond.toFixed(1)} | ${r.fraction.toFixed(3)} | ${r.throttled} | ${r.throttledAfterFirstSecond} | ${r.startRssMb.toFixed(0)} → ${r.peakRssMb.toFixed(0)} MB |\n`,
    );
  }
  process.stdout.write(`\nprocess max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; Node ${process.version}\n`);
}

if (process.argv.includes('--connector')) void serveConnector();
else
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
