import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Delivery } from '../../src/domain/ports';
import type { TrackedRequest } from '../../src/domain/tracked';
import { CorruptRecord } from '../../src/store/errors';
import { SqliteStore } from '../../src/store/sqlite';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema';
import { makeAudit, makeClaim, makeConversation, makeRequest } from './fixtures';
import { storeContract } from './store-contract';

const AT = '2026-11-30T12:00:00.000Z';
const makeDelivery = (id: string, fields: Partial<Delivery> = {}): Delivery => ({
  id, kind: 'card-update', requestKey: 'azure:sub-1:req-1', userId: id, priority: 1, dueBy: AT, availableAt: AT, state: 'queued', attempts: 0, enqueuedAt: AT, ...fields,
});

describe('SqliteStore', () => {
  let dir: string;
  let files = 0;
  const freshFile = (): string => join(dir, `store-${++files}.db`);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lockbox-store-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  storeContract('SqliteStore on a file', async () => SqliteStore.open(freshFile()));
  storeContract('SqliteStore in memory', async () => SqliteStore.open(':memory:'));

  it('reads back its own write without parsing it again, sharing what the writer kept of its read, and leaves the writer unfrozen', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      const request = makeRequest({ asked: [{ userId: 'user-a' }] });
      await store.insertRequest(request);
      const read = (await store.getRequest(request.key))!;
      const next: TrackedRequest = { ...read.value, cardsStale: true, updatedAt: AT };
      const etag = (await store.replaceRequest(next, read.etag))!;
      const again = (await store.getRequest(request.key))!;
      assert.deepEqual(again, { value: next, etag });
      assert.equal(again.value.request, read.value.request, 'the unchanged part is the one read before');
      assert.equal(again.value.asked, read.value.asked);
      assert.notEqual(again.value, next, 'a copy of its own, not the writer\'s');
      assert.ok(Object.isFrozen(again.value) && !Object.isFrozen(next));
      assert.equal((await store.getRequest(request.key))!.value, again.value, 'the same value while the row is unchanged');
    } finally {
      await store.close();
    }
  });

  it('refuses a stale replace before serialising the request or its audit entries', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      await store.insertRequest(makeRequest());
      const { etag: stale } = (await store.getRequest(makeRequest().key))!;
      assert.notEqual(await store.replaceRequest(makeRequest({ updatedAt: AT }), stale), undefined);
      let serialised = 0;
      const counted = <T extends object>(value: T): T => ({ ...value, toJSON: () => (serialised++, value) });
      assert.equal(await store.replaceRequest(counted(makeRequest({ cardsStale: true })), stale, [counted(makeAudit('decision.recorded'))]), undefined);
      assert.equal(await store.replaceRequest(counted(makeRequest({ cardsStale: true })), 'never-stored'), undefined);
      assert.equal(serialised, 0);
      assert.deepEqual(await store.listAudit({ limit: 10 }), []);
      assert.deepEqual((await store.getRequest(makeRequest().key))?.value, makeRequest({ updatedAt: AT }));
    } finally {
      await store.close();
    }
  });

  it('keeps everything across close and reopen of the same file', async () => {
    const file = freshFile();
    const request = makeRequest();
    const first = SqliteStore.open(file);
    await first.insertRequest(request);
    await first.saveConversation(makeConversation('user-a'));
    await first.claimCard(makeClaim(request.key, 'user-a'));
    await first.appendAudit(makeAudit('request.detected'));
    const { etag } = (await first.getRequest(request.key))!;
    await first.close();

    const second = SqliteStore.open(file);
    try {
      assert.deepEqual(await second.getRequest(request.key), { value: request, etag });
      assert.deepEqual(await second.getConversation('user-a'), makeConversation('user-a'));
      assert.deepEqual(await second.listCards(request.key), [makeClaim(request.key, 'user-a')]);
      assert.deepEqual(await second.listAudit({ limit: 10 }), [makeAudit('request.detected')]);
      assert.notEqual(await second.replaceRequest(request, etag), undefined);
    } finally {
      await second.close();
    }
  });

  it('queues several deliveries in one transaction: when one cannot be stored, none is queued', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      const item = (id: string) => makeDelivery(id);
      // A value JSON cannot write fails the second item after the first was inserted.
      const unwritable = { ...item('b'), lastError: 10n } as unknown as Delivery;
      await assert.rejects(store.enqueueDeliveries([item('a'), unwritable]), TypeError);
      assert.equal(await store.countDeliveries(), 0);
      assert.deepEqual(await store.enqueueDeliveries([item('a'), item('b')]), [true, true]);
    } finally {
      await store.close();
    }
  });

  it('replaces a request and appends its audit entries in one transaction: when an entry cannot be stored, the request is not replaced', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      const request = makeRequest();
      await store.insertRequest(request);
      const { etag } = (await store.getRequest(request.key))!;
      const decided = makeRequest({ request: { status: 'Approved' } });
      // A value JSON cannot write fails the second entry after the replace and the first entry were made.
      const unwritable = makeAudit('decision.recorded', { detail: { size: 10n } });
      await assert.rejects(store.replaceRequest(decided, etag, [makeAudit('decision.withdrawn'), unwritable]), TypeError);
      assert.deepEqual(await store.getRequest(request.key), { value: request, etag });
      assert.deepEqual(await store.listAudit({ limit: 10 }), []);
      assert.equal(typeof (await store.replaceRequest(decided, etag, [makeAudit('decision.recorded')])), 'string');
      assert.equal((await store.listAudit({ limit: 10 })).length, 1);
    } finally {
      await store.close();
    }
  });

  it('reads what another connection (another process) wrote since it last read a request or a queued delivery', async () => {
    const file = freshFile();
    const [one, two] = [SqliteStore.open(file), SqliteStore.open(file)];
    try {
      const request = makeRequest();
      await one.insertRequest(request);
      await one.enqueueDelivery(makeDelivery('d-1'));
      const read = (await one.getRequest(request.key))!;
      const [queued] = await one.nextDeliveries(new Date(AT), 10);
      const changed = makeRequest({ request: { status: 'Approved' } });
      const etag = await two.replaceRequest(changed, read.etag);
      await two.replaceDelivery({ ...queued!.value, attempts: 3 }, queued!.etag);
      assert.deepEqual(await one.getRequest(request.key), { value: changed, etag });
      assert.equal((await one.nextDeliveries(new Date(AT), 10))[0]?.value.attempts, 3);
      await two.removeDelivery('d-1');
      await two.enqueueDelivery(makeDelivery('d-1', { attempts: 7 }));
      assert.equal((await one.nextDeliveries(new Date(AT), 10))[0]?.value.attempts, 7);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('creates missing parent directories and records the schema version, in WAL mode', async () => {
    const file = join(dir, 'nested', 'deeper', 'store.db');
    await SqliteStore.open(file).close();
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(SCHEMA_VERSION >= 1, true);
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  it('refuses a file written by a newer schema version', () => {
    const file = freshFile();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => SqliteStore.open(file), /newer than/);
  });

  it('lets exactly one of two connections to the same file replace a request from the same etag', async () => {
    const file = freshFile();
    const a = SqliteStore.open(file);
    const b = SqliteStore.open(file);
    try {
      await a.insertRequest(makeRequest());
      const { etag } = (await b.getRequest(makeRequest().key))!;
      const results = await Promise.all([a.replaceRequest(makeRequest(), etag), b.replaceRequest(makeRequest(), etag)]);
      assert.equal(results.filter((e) => e !== undefined).length, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a negative audit limit instead of reading it as unlimited', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      await assert.rejects(store.listAudit({ limit: -1 }), RangeError);
    } finally {
      await store.close();
    }
  });

  describe('with a corrupted row', () => {
    let file: string;
    let store: SqliteStore;

    beforeEach(() => {
      file = freshFile();
      store = SqliteStore.open(file);
    });

    afterEach(async () => {
      await store.close();
    });

    function corrupt(sql: string): void {
      const db = new Database(file);
      db.prepare(sql).run();
      db.close();
    }

    it('names the requests table and key instead of throwing a bare SyntaxError', async () => {
      const request = makeRequest();
      await store.insertRequest(request);
      corrupt(`UPDATE requests SET body = '{"key": truncated' WHERE key = '${request.key}'`);
      const error = await store.getRequest(request.key).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof CorruptRecord);
      assert.equal(error.table, 'requests');
      assert.equal(error.key, request.key);
      assert.match(error.message, /requests.*azure:sub-1:req-1/);
      assert.ok(error.cause instanceof SyntaxError);
      await assert.rejects(store.listOpenRequests(), CorruptRecord);
    });

    it('reports a row corrupted after it was read, rather than handing out what it read before', async () => {
      const request = makeRequest();
      await store.insertRequest(request);
      await store.enqueueDelivery(makeDelivery('d-1'));
      assert.deepEqual((await store.getRequest(request.key))?.value, request);
      assert.equal((await store.nextDeliveries(new Date(AT), 10)).length, 1);
      corrupt(`UPDATE requests SET body = '{"key": truncated'`);
      corrupt(`UPDATE deliveries SET body = 'not json'`);
      await assert.rejects(store.getRequest(request.key), { name: 'CorruptRecord', table: 'requests', key: request.key });
      await assert.rejects(store.nextDeliveries(new Date(AT), 10), { name: 'CorruptRecord', table: 'deliveries', key: 'd-1' });
    });

    it('names the conversations and audit tables too', async () => {
      await store.saveConversation(makeConversation('user-a'));
      await store.appendAudit(makeAudit('request.detected'));
      corrupt(`UPDATE conversations SET body = 'not json'`);
      corrupt(`UPDATE audit SET body = ''`);
      await assert.rejects(store.getConversation('user-a'), { name: 'CorruptRecord', table: 'conversations', key: 'user-a' });
      await assert.rejects(store.listAudit({ limit: 1 }), { name: 'CorruptRecord', table: 'audit', key: '1' });
    });
  });
});
