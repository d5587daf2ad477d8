/**
 * The store's hot operations on SQLite (a WAL file) and on Azure Table Storage (Azurite, in memory, on
 * loopback): ops/s for one caller in sequence, and p50/p99 latency. Run: npm run bench:store [-- 2000 300]
 * (operations per measurement on SQLite, then on Table).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AuditEntry, Store } from '../src/domain/ports';
import type { TrackedRequest } from '../src/domain/tracked';
import { SqliteStore } from '../src/store/sqlite';
import { TableStore } from '../src/store/table';
import { createTableClient } from '../src/store/table-client';
import { startAzurite } from '../test/support/azurite';

const OPEN = 20;
const CLOSED = 200;
const WARM_UP = 20;

function request(i: number, status = 'Pending'): TrackedRequest {
  const requestId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    key: `azure:sub-1:${requestId}`,
    request: {
      source: 'azure', requestId, subscriptionId: 'sub-1', status, justification: 'Investigate a failing deployment for support case 2501010010001234',
      resourceIds: ['/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1'],
      createdAt: '2025-01-01T10:00:00.000Z', expiresAt: '2025-01-05T10:00:00.000Z',
      raw: { name: requestId, properties: { status, justification: 'x'.repeat(1500), supportRequest: '2501010010001234' } },
    },
    firstSeenAt: '2025-01-01T10:01:00.000Z',
    updatedAt: '2025-01-01T10:01:00.000Z',
  };
}

const audit = (i: number): AuditEntry => ({
  at: new Date().toISOString(), kind: 'decision.recorded', requestKey: request(i % OPEN).key,
  actor: { aadObjectId: 'user-a', tenantId: 'tenant-1', name: 'Ada' }, detail: { verdict: 'approve', roles: ['Owner'] },
});

interface Result { opsPerSecond: number; p50: number; p99: number }

async function measure(count: number, op: (i: number) => Promise<unknown>): Promise<Result> {
  for (let i = 0; i < WARM_UP; i++) await op(-1 - i);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await op(i);
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { opsPerSecond: (count / total) * 1000, p50: at(0.5), p99: at(0.99) };
}

async function run(store: Store, count: number): Promise<Map<string, Result>> {
  for (let i = 0; i < OPEN + CLOSED; i++) await store.insertRequest(request(i, i < OPEN ? 'Pending' : 'Expired'));
  const etags = new Map<string, string>();
  for (const { value, etag } of await store.listOpenRequests()) etags.set(value.key, etag);
  const results = new Map<string, Result>();
  let n = 0;
  results.set('getRequest', await measure(count, (i) => store.getRequest(request(Math.abs(i) % (OPEN + CLOSED)).key)));
  results.set('replaceRequest (CAS)', await measure(count, async (i) => {
    const next = { ...request(Math.abs(i) % OPEN), updatedAt: new Date().toISOString() };
    const etag = await store.replaceRequest(next, etags.get(next.key)!);
    if (!etag) throw new Error('a CAS with the current etag was refused');
    etags.set(next.key, etag);
  }));
  results.set('replaceRequest, open ↔ closed', await measure(count, async (i) => {
    const base = request(Math.abs(i) % OPEN);
    const { value, etag } = (await store.getRequest(base.key))!;
    const closing = value.request.status === 'Pending';
    const next = { ...base, request: { ...base.request, status: closing ? 'Expired' : 'Pending' } };
    if (!(await store.replaceRequest(next, etag))) throw new Error('a CAS with the current etag was refused');
  }));
  for (let i = 0; i < OPEN; i++) {
    const { value, etag } = (await store.getRequest(request(i).key))!;
    if (value.request.status !== 'Pending') await store.replaceRequest(request(i), etag);
  }
  results.set('claimCard', await measure(count, () => store.claimCard({ requestKey: request(n % OPEN).key, userId: `user-${n++}`, conversationId: 'conv' })));
  results.set('appendAudit', await measure(count, (i) => store.appendAudit(audit(Math.abs(i)))));
  results.set(`listOpenRequests (${OPEN} of ${OPEN + CLOSED})`, await measure(Math.max(20, Math.floor(count / 5)), async () => {
    if ((await store.listOpenRequests()).length !== OPEN) throw new Error('the open list is wrong');
  }));
  return results;
}

async function main(): Promise<void> {
  const [sqliteCount = 2000, tableCount = 300] = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-bench-'));
  const azurite = await startAzurite();
  try {
    const sqlite = SqliteStore.open(path.join(dir, 'lockbox.sqlite'));
    const onSqlite = await run(sqlite, sqliteCount);
    await sqlite.close();
    const table = await TableStore.open(createTableClient({ connectionString: azurite.connectionString }, 'bench'));
    const onTable = await run(table, tableCount);

    const ms = (x: number) => (x < 1 ? x.toFixed(2) : x.toFixed(1));
    const out = [
      `store hot operations, one caller in sequence; node ${process.version}, ${os.cpus().length} CPUs; Table = Azurite 3.35.0 in memory on loopback`,
      '(the open ↔ closed row includes the getRequest before each replace, as the watcher does)',
      '',
      '| operation | SQLite ops/s | SQLite p50 | SQLite p99 | Table ops/s | Table p50 | Table p99 |',
      '|---|---:|---:|---:|---:|---:|---:|',
    ];
    for (const [name, s] of onSqlite) {
      const t = onTable.get(name)!;
      out.push(`| ${name} | ${Math.round(s.opsPerSecond)} | ${ms(s.p50)} ms | ${ms(s.p99)} ms | ${Math.round(t.opsPerSecond)} | ${ms(t.p50)} ms | ${ms(t.p99)} ms |`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await azurite.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
