/**
 * Detection latency of a new lockbox request: from the moment it appears upstream to its `request.detected`
 * audit entry, first with nothing being delivered, then while the first cards of 1,000 older requests are
 * being delivered into an approver's chat at Teams' pace (60 cards per chat per 30 s), in one run.
 * Everything runs on loopback: the simulated tenant, a fake Bot Connector and the real bot with SQLite.
 * Run: npm run bench:detection [-- older=1000 samples=5 interval=2]
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../src/store/sqlite';
import { installUpdate } from '../test/support/activities';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../test/support/harness';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? fallback) || fallback;
const OLDER = arg('older', 1000);
const SAMPLES = arg('samples', 5);
const INTERVAL_S = arg('interval', 2);

async function health(h: Harness): Promise<{ deliveriesQueued: number }> {
  return (await fetch(`${h.bot.url}/healthz`)).json() as Promise<{ deliveriesQueued: number }>;
}

async function detectedCount(trail: SqliteStore): Promise<number> {
  return (await trail.listAudit({ kinds: ['request.detected'], limit: 1_000_000 })).length;
}

/** Creates one request upstream and waits for the bot to audit it as detected; answers the milliseconds it took. */
async function detectOne(h: Harness, trail: SqliteStore): Promise<number> {
  const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
  const started = performance.now();
  const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;
  for (;;) {
    if ((await trail.listAudit({ requestKey: key, kinds: ['request.detected'], limit: 1 })).length) return performance.now() - started;
    if (performance.now() - started > 10 * 60_000) throw new Error(`request ${requestId} was not detected within 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function scenario(older: number) {
  const h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', POLL_INTERVAL_SECONDS: String(INTERVAL_S) }, bot: { autoPoll: true } });
  const trail = SqliteStore.open(path.join(h.dataDir, 'lockbox.sqlite'));
  try {
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    for (let i = 0; i < older; i++) h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    while ((await detectedCount(trail)) < older) await new Promise((resolve) => setTimeout(resolve, 100));
    const latencies: number[] = [];
    const queued: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      latencies.push(await detectOne(h, trail));
      queued.push((await health(h)).deliveriesQueued);
      // Spread the samples over the poll's phase.
      await new Promise((resolve) => setTimeout(resolve, 300 + ((i * 700) % (INTERVAL_S * 1000))));
    }
    return { older, latencies, queued, posted: h.connector.postedCards().length };
  } finally {
    await trail.close();
    await h.close();
  }
}

async function main() {
  const rows = [await scenario(0), await scenario(OLDER)];
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(`detection latency of a new request, poll interval ${INTERVAL_S} s, ${SAMPLES} samples each\n\n`);
  process.stdout.write('| older requests being delivered | median | max | cards still queued at each detection | cards posted meanwhile |\n|---:|---:|---:|---|---:|\n');
  for (const r of rows) {
    const sorted = [...r.latencies].sort((a, b) => a - b);
    process.stdout.write(`| ${r.older} | ${s(sorted[Math.floor(sorted.length / 2)]!)} | ${s(sorted.at(-1)!)} | ${r.queued.join(', ')} | ${r.posted} |\n`);
  }
  process.stdout.write(`\nNode ${process.version}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
