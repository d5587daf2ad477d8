/**
 * How long people wait while the Table store does not answer at all: Azurite frozen (SIGSTOP), then
 * `/healthz` asked and a card clicked, each `samples` times on a fresh request. The budgets are the ones the
 * bot promises: `/healthz` within 2 s, a click well inside Teams' 15 s invoke timeout.
 * Everything runs on loopback: the simulated tenant, a fake Bot Connector, Azurite and the real bot.
 * Run: npm run bench:frozen-store [-- samples=10]
 */
import { performance } from 'node:perf_hooks';
import { cardAction, installUpdate } from '../test/support/activities';
import { startAzurite } from '../test/support/azurite';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS } from '../test/support/harness';

const SAMPLES = Number(process.argv.find((a) => a.startsWith('samples='))?.split('=')[1] ?? 10) || 10;
const HEALTH_BUDGET_MS = 2000;
const CLICK_BUDGET_MS = 15_000;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function row(name: string, samples: number[], budget: number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const max = at(1);
  return `| ${name} | ${at(0.5).toFixed(0)} ms | ${max.toFixed(0)} ms | ${budget} ms | ${max < budget ? 'within' : 'OVER'} |`;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: azurite.connectionString } });
  const health: number[] = [];
  const clicks: number[] = [];
  const answers = new Set<string>();
  try {
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    for (let i = 0; i < SAMPLES; i++) {
      const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
      await h.bot.watcher.runOnce();
      azurite.pause();
      health.push(await timed(async () => answers.add(`healthz ${(await fetch(`${h.bot.url}/healthz`)).status}`)));
      const requestKey = `azure:${SUBSCRIPTION_ID}:${requestId}`;
      clicks.push(await timed(async () => {
        const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey }));
        answers.add(`click ${answer.status} ${/nothing was decided/.test(JSON.stringify(answer.body)) ? '"nothing was decided"' : 'other answer'}`);
      }));
      azurite.resume();
      // Let the frozen calls drain before the next sample, so each one starts from a store that answers.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  } finally {
    azurite.resume();
    await h.close();
    await azurite.stop();
  }
  process.stdout.write([
    `waiting on a frozen Table store (Azurite paused), ${SAMPLES} samples each, loopback`,
    '',
    '| asked | p50 | max | budget | |',
    '|---|---:|---:|---:|---|',
    row('/healthz', health, HEALTH_BUDGET_MS),
    row('card click (Approve)', clicks, CLICK_BUDGET_MS),
    '',
    `answers seen: ${[...answers].join(', ')}`,
  ].join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
