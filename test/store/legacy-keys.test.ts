import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Delivery, Store } from '../../src/domain/ports';
import { SqliteStore } from '../../src/store/sqlite';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema';
import { TableStore } from '../../src/store/table';
import { createTableClient } from '../../src/store/table-client';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { makeAudit, makeClaim, makeRequest } from './fixtures';

const LEGACY = 'azure:SUB-1:REQ-1';
const KEY = LEGACY.toLowerCase();
/** A request stored in both spellings: the lower-case one from a build that lowered keys and detected it again. */
const TWICE = 'azure:sub-1:REQ-2';

function delivery(requestKey: string): Delivery {
  return {
    id: `request-card|${requestKey}|user-a`, kind: 'request-card', requestKey, userId: 'user-a', priority: 1,
    dueBy: '2025-01-05T10:00:00.000Z', availableAt: '2025-01-01T10:00:00.000Z', state: 'queued', attempts: 0, enqueuedAt: '2025-01-01T10:00:00.000Z',
  };
}

/** What a build that kept keys as Microsoft spelt them wrote: a request, its card, its audit and a queued delivery. */
async function seedLegacy(store: Store): Promise<void> {
  await store.insertRequest(makeRequest({ key: LEGACY, request: { requestId: 'REQ-1', subscriptionId: 'SUB-1' } }));
  await store.claimCard(makeClaim(LEGACY, 'user-a'));
  await store.completeCard(LEGACY, 'user-a', 'activity-1', '2025-01-01T10:02:00.000Z');
  await store.appendAudit(makeAudit('request.detected', { requestKey: LEGACY }));
  await store.enqueueDelivery(delivery(LEGACY));
  await store.insertRequest(makeRequest({ key: TWICE, request: { requestId: 'REQ-2' } }));
  await store.insertRequest(makeRequest({ key: TWICE.toLowerCase(), request: { requestId: 'req-2' } }));
}

async function assertRekeyed(store: Store): Promise<void> {
  const found = await store.getRequest(KEY);
  assert.equal(found?.value.key, KEY);
  assert.equal(found?.value.request.requestId, 'REQ-1', "upstream's own id is kept as Microsoft spelt it");
  assert.equal(await store.getRequest(LEGACY), undefined);
  assert.deepEqual((await store.listOpenRequests()).map((r) => r.value.key).sort(), [KEY, TWICE.toLowerCase()]);
  assert.deepEqual((await store.listCards(KEY)).map((c) => [c.requestKey, c.userId, c.activityId]), [[KEY, 'user-a', 'activity-1']]);
  assert.deepEqual(await store.listCards(LEGACY), []);
  assert.deepEqual((await store.listAudit({ requestKey: KEY, limit: 10 })).map((e) => e.kind), ['request.detected']);
  assert.equal(await store.countDeliveries(), 1);
  const [queued] = await store.nextDeliveries(new Date('2025-01-02T00:00:00Z'), 10);
  assert.deepEqual([queued?.value.id, queued?.value.requestKey], [`request-card|${KEY}|user-a`, KEY]);
  assert.equal((await store.getRequest(TWICE))?.value.request.requestId, 'REQ-2', 'the older spelling is kept as history');
}

describe('a store written before request keys were lower case', () => {
  describe('SQLite', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-legacy-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('is re-keyed once when opened, by whichever of two connections comes first, and opening again changes nothing', async () => {
      const file = path.join(dir, 'lockbox.sqlite');
      const writer = SqliteStore.open(file);
      await seedLegacy(writer);
      await writer.close();
      const db = new Database(file);
      db.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
      db.close();

      const [first, second] = [SqliteStore.open(file), SqliteStore.open(file)];
      await assertRekeyed(first);
      await assertRekeyed(second);
      await Promise.all([first.close(), second.close()]);
      const again = SqliteStore.open(file);
      await assertRekeyed(again);
      await again.close();
    });
  });

  describe('Table on Azurite', function () {
    this.timeout(30_000);
    let azurite: RunningAzurite;
    let tables = 0;
    before(async () => (azurite = await startAzurite()));
    after(() => azurite?.stop());
    const client = () => createTableClient({ connectionString: azurite.connectionString }, `legacy${Date.now().toString(36)}${++tables}`);

    it('is re-keyed when two instances open it at once, and opening again changes nothing', async () => {
      const table = client();
      await seedLegacy(await TableStore.open(table));
      await table.deleteEntity('meta', 'lower-case-keys');

      const [first, second] = await Promise.all([TableStore.open(table), TableStore.open(table)]);
      await assertRekeyed(first);
      await assertRekeyed(second);
      await assertRekeyed(await TableStore.open(table));
    });

    it('finishes the work after a crash part-way (a card copied, the request not yet moved)', async () => {
      const table = client();
      await seedLegacy(await TableStore.open(table));
      await table.deleteEntity('meta', 'lower-case-keys');
      // As if the first start stopped after copying the card, before removing the old copy and moving the request.
      const card = await table.getEntity<Record<string, unknown>>('card:azure:SUB-1:REQ-1', 'user-a');
      const { etag: _e, timestamp: _t, ...copy } = card as Record<string, unknown>;
      await table.createEntity({ ...copy, partitionKey: `card:${KEY}`, rowKey: 'user-a', requestKey: KEY });

      await assertRekeyed(await TableStore.open(table));
    });

    it('finishes the work after a crash right after the request moved, its old open marker still there', async () => {
      const table = client();
      await seedLegacy(await TableStore.open(table));
      await table.deleteEntity('meta', 'lower-case-keys');
      await TableStore.open(table);
      await table.deleteEntity('meta', 'lower-case-keys');
      await table.createEntity({ partitionKey: 'request', rowKey: `o:${LEGACY}` });

      await assertRekeyed(await TableStore.open(table));
    });
  });
});
