import assert from 'node:assert/strict';
import type { TableClient } from '@azure/data-tables';
import { CorruptRecord } from '../../src/store/errors';
import { TableStore } from '../../src/store/table';
import { createTableClient } from '../../src/store/table-client';
import { EntityTooLarge } from '../../src/store/table-codec';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { makeAudit, makeClaim, makeConversation, makeDecision, makeRequest } from './fixtures';
import { storeContract } from './store-contract';

describe('TableStore on Azurite', function () {
  this.timeout(30_000);
  let azurite: RunningAzurite;
  let tables = 0;
  /** A fresh table per test, so no test sees another's entities. */
  const freshClient = (): TableClient => createTableClient({ connectionString: azurite.connectionString }, `t${Date.now().toString(36)}${++tables}`);

  before(async () => {
    azurite = await startAzurite();
  });

  after(async () => {
    await azurite?.stop();
  });

  storeContract('TableStore', () => TableStore.open(freshClient()));

  describe('beyond the contract', () => {
    let client: TableClient;
    let store: TableStore;

    beforeEach(async () => {
      client = freshClient();
      store = await TableStore.open(client);
    });

    it('keeps a request larger than one 64 KiB property whole, emoji at chunk edges included', async () => {
      const raw = { notes: '😀'.repeat(150_000), tail: 'é'.repeat(33_333) };
      const request = makeRequest({ request: { raw } });
      assert.equal(await store.insertRequest(request), true);
      assert.deepEqual((await store.getRequest(request.key))?.value, request);
      const { etag } = (await store.getRequest(request.key))!;
      assert.notEqual(await store.replaceRequest({ ...request, updatedAt: '2025-01-03T00:00:00.000Z' }, etag), undefined);
    });

    it('refuses a request too big for one entity, naming it, and writes nothing', async () => {
      const request = makeRequest({ request: { raw: 'x'.repeat(1_100_000) } });
      await assert.rejects(store.insertRequest(request), (error: unknown) => error instanceof EntityTooLarge && /requests record "azure:sub-1:req-1".*KiB/.test(error.message));
      assert.equal(await store.getRequest(request.key), undefined);
      assert.deepEqual(await store.listOpenRequests(), []);
    });

    it('stores keys holding characters Azure Tables forbids in keys', async () => {
      const key = 'm365:tenant:EXSR/12#3?\\%2F\u0001';
      const request = makeRequest({ key });
      await store.insertRequest(request);
      assert.deepEqual((await store.getRequest(key))?.value, request);
      assert.deepEqual((await store.listOpenRequests()).map((v) => v.value.key), [key]);
      await store.claimCard(makeClaim(key, 'user/#?'));
      await store.completeCard(key, 'user/#?', 'activity-1', '2025-01-01T10:02:00.000Z');
      assert.deepEqual((await store.listCards(key)).map((c) => [c.userId, c.activityId]), [['user/#?', 'activity-1']]);
      await store.saveConversation(makeConversation('user\\?'));
      assert.deepEqual(await store.getConversation('user\\?'), makeConversation('user\\?'));
      assert.equal(await store.acquireLease('watch/er#1', 'a', 1000, new Date()), true);
    });

    it('lets exactly one of two stores on the same table replace a request from the same etag', async () => {
      const other = await TableStore.open(client);
      await store.insertRequest(makeRequest());
      const { etag } = (await other.getRequest(makeRequest().key))!;
      const closing = makeRequest({ request: { status: 'Expired' } });
      const deciding = makeRequest({ decision: makeDecision('pending') });
      const results = await Promise.all([store.replaceRequest(closing, etag), other.replaceRequest(deciding, etag)]);
      assert.equal(results.filter((e) => e !== undefined).length, 1);
      const winner = results[0] ? closing : deciding;
      assert.deepEqual((await store.listOpenRequests()).map((v) => v.value), winner === deciding ? [deciding] : []);
    });

    it('exports a trail of several pages oldest first, and lists it newest first', async () => {
      const paged = await TableStore.open(client, { exportPageSize: 16 });
      const entries = Array.from({ length: 123 }, (_, i) => makeAudit(i % 2 ? 'decision.recorded' : 'request.detected', { detail: { i } }));
      // appendAudit orders by call, so concurrent appends keep the order they were made in.
      await Promise.all(entries.map((entry) => paged.appendAudit(entry)));
      const exported = [];
      for await (const entry of paged.exportAudit()) exported.push(entry);
      assert.deepEqual(exported, entries);
      assert.deepEqual(await paged.listAudit({ kinds: ['decision.recorded'], limit: 3 }), [entries[121], entries[119], entries[117]]);
    });

    it('refuses a negative audit limit', async () => {
      await assert.rejects(store.listAudit({ limit: -1 }), RangeError);
    });

    it('names the partition and key of a record whose JSON is damaged', async () => {
      await store.saveConversation(makeConversation('user-a'));
      await client.updateEntity({ partitionKey: 'conversation', rowKey: 'user-a', body0: '{"userId": trunc' }, 'Merge');
      await assert.rejects(store.getConversation('user-a'), (error: unknown) => error instanceof CorruptRecord && error.table === 'conversations' && error.key === 'user-a');
    });
  });
});
