/**
 * How long one watcher poll of the Azure source takes for N subscriptions, against the simulated
 * tenant over real HTTP on loopback. Run: npm run bench:poll [-- 1 100 1000]
 */
import { performance } from 'node:perf_hooks';
import { SimulatorCredential } from '../src/http/credentials';
import { JsonClient } from '../src/http/json-client';
import { AzureLockboxSource } from '../src/lockbox/azure/source';
import { fixedSubscriptions } from '../src/lockbox/azure/subscriptions';
import { silentLogger } from '../src/runtime/logger';
import { DEFAULT_SEED, startSimulator } from '../src/simulator';

const ROUNDS = 5;
const PENDING_PER_SUBSCRIPTION = 2;

function subscriptionId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

async function measure(count: number) {
  const subscriptions = Array.from({ length: count }, (_, i) => subscriptionId(i + 1));
  const sim = await startSimulator({ port: 0, seed: { ...DEFAULT_SEED, subscriptions: [...DEFAULT_SEED.subscriptions, ...subscriptions] } });
  try {
    for (const s of subscriptions) for (let k = 0; k < PENDING_PER_SUBSCRIPTION; k++) sim.tenant.createRequest({ subscriptionId: s });
    const client = new JsonClient({ baseUrl: sim.url, credential: new SimulatorCredential(), scope: 'https://management.azure.com/.default', allowLoopbackHttp: true });
    const source = new AzureLockboxSource({ client, subscriptions: fixedSubscriptions(subscriptions), tenantId: DEFAULT_SEED.tenantId, logger: silentLogger });
    await source.listPending(); // warm-up: connections, JIT
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const listing = await source.listPending();
      times.push(performance.now() - started);
      if (listing.requests.length !== count * PENDING_PER_SUBSCRIPTION || listing.failures.length) throw new Error('the poll missed requests');
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    return { subscriptions: count, pending: count * PENDING_PER_SUBSCRIPTION, medianMs: Math.round(median), httpRequestsPerSecond: Math.round((count / median) * 1000) };
  } finally {
    await sim.close();
  }
}

async function main() {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rows = [];
  for (const n of sizes.length ? sizes : [1, 100, 1000]) rows.push(await measure(n));
  process.stdout.write(`poll cycle, Azure source, ${ROUNDS} rounds each, concurrency 16, loopback simulator\n`);
  process.stdout.write('| subscriptions | pending requests | median poll cycle | list calls/s |\n|---:|---:|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.subscriptions} | ${r.pending} | ${r.medianMs} ms | ${r.httpRequestsPerSecond} |\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
