import assert from 'node:assert/strict';
import type { AuditEntry, Delivery, Store } from '../../src/domain/ports';
import type { TrackedRequest } from '../../src/domain/tracked';
import { makeAudit, makeClaim, makeConversation, makeDecision, makeRequest } from './fixtures';

const N = 20;

/** A reader changing what it was handed: a frozen value refuses (TypeError), a copy of its own takes it; neither may reach the store. */
function tryToChange(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    assert.ok(error instanceof TypeError, String(error));
  }
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => key(a).localeCompare(key(b));
}

/**
 * Every behaviour the Store port promises, for any backend to run.
 * `open` must return an empty store for each test; `close` defaults to `store.close()`.
 */
export function storeContract(name: string, open: () => Promise<Store>, close: (s: Store) => Promise<void> = (s) => s.close()): void {
  describe(`${name} (Store contract)`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await close(store);
    });

    describe('requests', () => {
      it('returns nothing for a request it has never stored', async () => {
        assert.equal(await store.getRequest('azure:sub-1:unknown'), undefined);
      });

      it('stores a new request and returns it whole with an etag', async () => {
        const request = makeRequest({ decision: makeDecision('pending') });
        assert.equal(await store.insertRequest(request), true);
        const stored = await store.getRequest(request.key);
        assert.deepEqual(stored?.value, request);
        assert.equal(typeof stored?.etag, 'string');
        assert.notEqual(stored?.etag, '');
      });

      it('hands out values that the reader cannot change for later readers', async () => {
        const request = makeRequest({ decision: makeDecision('pending'), asked: [{ userId: 'user-a', name: 'Ada' }] });
        await store.insertRequest(request);
        const first = (await store.getRequest(request.key))!.value;
        const [open] = await store.listOpenRequests();
        for (const read of [first, open!.value]) {
          tryToChange(() => Object.assign(read.request, { status: 'Approved' }));
          tryToChange(() => read.asked!.push({ userId: 'intruder' }));
          tryToChange(() => Object.assign(read.decision!.submission, { state: 'submitted' }));
        }
        assert.deepEqual((await store.getRequest(request.key))?.value, request);
        assert.deepEqual((await store.listOpenRequests()).map((v) => v.value), [request]);
      });

      it("leaves the writer's own value theirs: changing it after a write changes neither the store nor later reads", async () => {
        const inserted = makeRequest({ asked: [{ userId: 'user-a' }] });
        await store.insertRequest(inserted);
        const read = (await store.getRequest(inserted.key))!;
        // A writer's copy shares what it did not change with what it read, as the use cases' copies do.
        const next: TrackedRequest = { ...read.value, decision: makeDecision('pending'), asked: [{ userId: 'user-a' }, { userId: 'user-b' }] };
        const written = structuredClone(next);
        const etag = (await store.replaceRequest(next, read.etag))!;
        next.decision!.submission.state = 'submitted';
        next.asked!.push({ userId: 'intruder' });
        next.updatedAt = 'changed afterwards';
        inserted.request.status = 'Approved';
        assert.deepEqual(await store.getRequest(inserted.key), { value: written, etag });
        assert.deepEqual((await store.listOpenRequests()).map((v) => v.value), [written]);
      });

      it('reads back what JSON keeps of a written value: no undefined fields, no -0, a Date as its text, NaN as null', async () => {
        const request = makeRequest();
        await store.insertRequest(request);
        let { etag } = (await store.getRequest(request.key))!;
        const plain = { ...request, decision: { ...makeDecision('pending'), comment: undefined }, cardsStale: undefined, missing: { since: '2025-01-01T10:00:00.000Z', checks: -0 } } as unknown as TrackedRequest;
        const odd = { ...request, request: { ...request.request, raw: { at: new Date(0), n: NaN, list: [1, undefined], ['__proto__']: 1 } } } as TrackedRequest;
        Object.defineProperty(odd.request.raw, '__proto__', { value: { own: true }, enumerable: true });
        for (const next of [plain, odd]) {
          etag = (await store.replaceRequest(next, etag))!;
          const read = (await store.getRequest(request.key))!.value;
          assert.deepEqual(read, JSON.parse(JSON.stringify(next)));
        }
        await store.replaceRequest(plain, etag);
        const read = (await store.getRequest(request.key))!.value;
        assert.ok(!('cardsStale' in read) && !('comment' in read.decision!));
        assert.ok(Object.is(read.missing!.checks, 0));
      });

      it('refuses to insert a request whose key exists, keeping the first', async () => {
        const first = makeRequest();
        await store.insertRequest(first);
        assert.equal(await store.insertRequest(makeRequest({ request: { status: 'Approved' } })), false);
        assert.deepEqual((await store.getRequest(first.key))?.value, first);
      });

      it(`lets exactly one of ${N} concurrent inserts of the same key succeed`, async () => {
        const results = await Promise.all(Array.from({ length: N }, () => store.insertRequest(makeRequest())));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('replaces a request when the etag is current and hands out a new etag', async () => {
        const request = makeRequest();
        await store.insertRequest(request);
        const before = (await store.getRequest(request.key))!;
        const changed = makeRequest({ request: { status: 'Approved' }, updatedAt: '2025-01-02T00:00:00.000Z' });
        const etag = await store.replaceRequest(changed, before.etag);
        const after = (await store.getRequest(request.key))!;
        assert.deepEqual(after.value, changed);
        assert.notEqual(after.etag, before.etag);
        assert.equal(etag, after.etag, 'the returned etag is the one now stored');
      });

      it('refuses a replace with a stale etag, keeping the newer value', async () => {
        await store.insertRequest(makeRequest());
        const { etag: stale, value } = (await store.getRequest(makeRequest().key))!;
        const newer = makeRequest({ decision: makeDecision('pending') });
        await store.replaceRequest(newer, stale);
        assert.equal(await store.replaceRequest(makeRequest({ request: { status: 'Denied' } }), stale), undefined);
        assert.deepEqual((await store.getRequest(value.key))?.value, newer);
      });

      it('refuses to replace a request that was never stored, and does not create it', async () => {
        const request = makeRequest();
        assert.equal(await store.replaceRequest(request, 'any-etag'), undefined);
        assert.equal(await store.getRequest(request.key), undefined);
      });

      it('appends the audit entries given with a replace that succeeds, in order, and none with one it refuses', async () => {
        const request = makeRequest();
        await store.insertRequest(request);
        const { etag } = (await store.getRequest(request.key))!;
        const decided = makeRequest({ decision: makeDecision('pending'), updatedAt: '2025-01-02T00:00:00.000Z' });
        const entries = [makeAudit('decision.withdrawn', { detail: { n: 1 } }), makeAudit('decision.recorded', { detail: { n: 2 } })];
        const next = await store.replaceRequest(decided, etag, entries);
        assert.equal(typeof next, 'string');
        assert.deepEqual(await store.getRequest(request.key), { value: decided, etag: next });
        assert.deepEqual(await store.listAudit({ limit: 10 }), [...entries].reverse(), 'newest first');
        assert.equal(await store.replaceRequest(makeRequest({ request: { status: 'Denied' } }), etag, [makeAudit('decision.recorded', { detail: { n: 3 } })]), undefined);
        assert.equal(await store.replaceRequest(makeRequest(), 'no-such-etag', [makeAudit('decision.recorded', { detail: { n: 4 } })]), undefined);
        assert.deepEqual((await store.listAudit({ limit: 10 })).map((e) => e.detail.n), [2, 1], 'a refused replace appends nothing');
        assert.deepEqual((await store.getRequest(request.key))?.value, decided);
      });

      it('lets exactly one of two writers holding the same etag replace a request', async () => {
        await store.insertRequest(makeRequest());
        const { etag } = (await store.getRequest(makeRequest().key))!;
        const approve = makeRequest({ decision: makeDecision('pending', { verdict: 'approve' }) });
        const reject = makeRequest({ decision: makeDecision('pending', { verdict: 'reject' }) });
        const [a, b] = await Promise.all([store.replaceRequest(approve, etag), store.replaceRequest(reject, etag)]);
        assert.equal([a, b].filter((e) => e !== undefined).length, 1);
        assert.deepEqual((await store.getRequest(approve.key))?.value, a ? approve : reject);
      });

      it(`lets exactly one of ${N} concurrent writers holding the same etag replace a request`, async () => {
        await store.insertRequest(makeRequest());
        const { etag } = (await store.getRequest(makeRequest().key))!;
        const results = await Promise.all(
          Array.from({ length: N }, (_, i) => store.replaceRequest(makeRequest({ updatedAt: `2025-01-02T00:00:${String(i).padStart(2, '0')}.000Z` }), etag)),
        );
        assert.equal(results.filter((e) => e !== undefined).length, 1);
      });
    });

    describe('open requests', () => {
      it('lists nothing when nothing is stored', async () => {
        assert.deepEqual(await store.listOpenRequests(), []);
      });

      it('lists requests whose upstream status is not final', async () => {
        const pending = makeRequest({ request: { requestId: 'pending', status: 'Pending' } });
        const unknownStatus = makeRequest({ request: { requestId: 'unknown', status: 'SomethingNew' } });
        await store.insertRequest(pending);
        await store.insertRequest(unknownStatus);
        const open = (await store.listOpenRequests()).map((v) => v.value).sort(byKey((r) => r.key));
        assert.deepEqual(open, [pending, unknownStatus].sort(byKey((r) => r.key)));
      });

      it('counts a final request whose decision is still pending submission as open', async () => {
        const request = makeRequest({ request: { status: 'Approved' }, decision: makeDecision('pending') });
        await store.insertRequest(request);
        assert.deepEqual((await store.listOpenRequests()).map((v) => v.value), [request]);
      });

      it('leaves out final requests with no decision or a decision that has reached upstream', async () => {
        await store.insertRequest(makeRequest({ request: { requestId: 'expired', status: 'Expired' } }));
        await store.insertRequest(makeRequest({ request: { requestId: 'submitted', status: 'Revoked' }, decision: makeDecision('submitted') }));
        await store.insertRequest(makeRequest({ request: { requestId: 'adopted', status: 'Denied' }, decision: makeDecision('adopted') }));
        await store.insertRequest(makeRequest({ request: { requestId: 'failed', status: 'Expired' }, decision: makeDecision('failed') }));
        assert.deepEqual(await store.listOpenRequests(), []);
      });

      it('drops a request from the open list once a replace makes it final, and brings it back if it reopens', async () => {
        const request = makeRequest();
        await store.insertRequest(request);
        const [open] = await store.listOpenRequests();
        assert.notEqual(await store.replaceRequest(makeRequest({ request: { status: 'Expired' } }), open!.etag), undefined);
        assert.deepEqual(await store.listOpenRequests(), []);

        const closed = (await store.getRequest(request.key))!;
        const reopened = makeRequest({ request: { status: 'Expired' }, decision: makeDecision('pending') });
        assert.notEqual(await store.replaceRequest(reopened, closed.etag), undefined);
        assert.deepEqual((await store.listOpenRequests()).map((v) => v.value), [reopened]);
      });

      it('hands out open requests with etags that a replace accepts', async () => {
        await store.insertRequest(makeRequest());
        const [open] = await store.listOpenRequests();
        assert.notEqual(await store.replaceRequest(makeRequest({ decision: makeDecision('pending') }), open!.etag), undefined);
      });
    });

    describe('conversations', () => {
      it('returns nothing for a user it has never seen', async () => {
        assert.equal(await store.getConversation('nobody'), undefined);
      });

      it('saves a conversation and reads it back with its opaque reference intact', async () => {
        const conversation = makeConversation('user-a');
        await store.saveConversation(conversation);
        assert.deepEqual(await store.getConversation('user-a'), conversation);
      });

      it("remembers the reader's Teams locale with the chat, and its change", async () => {
        await store.saveConversation(makeConversation('user-a', { locale: 'nl-NL' }));
        assert.equal((await store.getConversation('user-a'))?.locale, 'nl-NL');
        await store.saveConversation(makeConversation('user-a', { locale: 'de-DE' }));
        assert.equal((await store.getConversation('user-a'))?.locale, 'de-DE');
        assert.deepEqual((await store.listConversations()).map((c) => c.locale), ['de-DE']);
      });

      it('replaces the conversation when the same user saves again', async () => {
        await store.saveConversation(makeConversation('user-a'));
        const newer = makeConversation('user-a', { conversationId: 'conv-new', updatedAt: '2025-02-01T00:00:00.000Z' });
        await store.saveConversation(newer);
        assert.deepEqual(await store.getConversation('user-a'), newer);
        assert.deepEqual(await store.listConversations(), [newer]);
      });

      it('forgets a removed conversation, and removing an unknown one is harmless', async () => {
        await store.saveConversation(makeConversation('user-a'));
        await store.saveConversation(makeConversation('user-b'));
        await store.removeConversation('user-a');
        await store.removeConversation('nobody');
        assert.equal(await store.getConversation('user-a'), undefined);
        assert.deepEqual((await store.listConversations()).map((c) => c.userId), ['user-b']);
      });

      it('lists every saved conversation once', async () => {
        const users = ['user-c', 'user-a', 'user-b'];
        for (const user of users) await store.saveConversation(makeConversation(user));
        const listed = (await store.listConversations()).sort(byKey((c) => c.userId));
        assert.deepEqual(listed, users.sort().map((user) => makeConversation(user)));
      });
    });

    describe('cards', () => {
      const key = makeRequest().key;

      it('grants the first claim on a card and refuses the next', async () => {
        assert.equal(await store.claimCard(makeClaim(key, 'user-a')), true);
        assert.equal(await store.claimCard(makeClaim(key, 'user-a')), false);
      });

      it(`grants exactly one of ${N} concurrent claims on the same card`, async () => {
        const results = await Promise.all(Array.from({ length: N }, () => store.claimCard(makeClaim(key, 'user-a'))));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await store.listCards(key)).length, 1);
      });

      it('claims each user of a request, and each request of a user, separately', async () => {
        assert.equal(await store.claimCard(makeClaim(key, 'user-a')), true);
        assert.equal(await store.claimCard(makeClaim(key, 'user-b')), true);
        assert.equal(await store.claimCard(makeClaim('azure:sub-1:other', 'user-a')), true);
      });

      it('lists a fresh claim without an activity', async () => {
        await store.claimCard(makeClaim(key, 'user-a'));
        assert.deepEqual(await store.listCards(key), [makeClaim(key, 'user-a')]);
      });

      it('records the activity and time once a card is completed', async () => {
        await store.claimCard(makeClaim(key, 'user-a'));
        await store.completeCard(key, 'user-a', 'activity-1', '2025-01-01T10:02:00.000Z');
        assert.deepEqual(await store.listCards(key), [
          { ...makeClaim(key, 'user-a'), activityId: 'activity-1', postedAt: '2025-01-01T10:02:00.000Z' },
        ]);
      });

      it('refuses to complete a card nobody claimed', async () => {
        await assert.rejects(store.completeCard(key, 'user-a', 'activity-1', '2025-01-01T10:02:00.000Z'));
        assert.deepEqual(await store.listCards(key), []);
      });

      it('releases a claim that was never completed, so the card can be claimed again', async () => {
        await store.claimCard(makeClaim(key, 'user-a'));
        await store.releaseCard(key, 'user-a');
        assert.deepEqual(await store.listCards(key), []);
        assert.equal(await store.claimCard(makeClaim(key, 'user-a')), true);
      });

      it('keeps a completed card when asked to release it', async () => {
        await store.claimCard(makeClaim(key, 'user-a'));
        await store.completeCard(key, 'user-a', 'activity-1', '2025-01-01T10:02:00.000Z');
        await store.releaseCard(key, 'user-a');
        assert.equal((await store.listCards(key))[0]?.activityId, 'activity-1');
        assert.equal(await store.claimCard(makeClaim(key, 'user-a')), false);
      });

      it('ignores a release of a card nobody claimed', async () => {
        await store.releaseCard(key, 'user-a');
        assert.deepEqual(await store.listCards(key), []);
      });

      it('lists only the cards of the request asked for', async () => {
        await store.claimCard(makeClaim(key, 'user-b'));
        await store.claimCard(makeClaim(key, 'user-a'));
        await store.claimCard(makeClaim('azure:sub-1:other', 'user-a'));
        const listed = (await store.listCards(key)).sort(byKey((c) => c.userId));
        assert.deepEqual(listed, [makeClaim(key, 'user-a'), makeClaim(key, 'user-b')]);
        assert.deepEqual(await store.listCards('azure:sub-1:none'), []);
      });
    });

    describe('audit', () => {
      const entries = [
        makeAudit('request.detected', { at: '2025-01-01T10:00:00.000Z', requestKey: 'r1' }),
        makeAudit('request.detected', { at: '2025-01-01T10:01:00.000Z', requestKey: 'r2' }),
        makeAudit('decision.recorded', {
          at: '2025-01-01T10:02:00.000Z',
          requestKey: 'r1',
          actor: { aadObjectId: 'user-a', tenantId: 'tenant-1', name: 'Ada', userPrincipalName: 'ada@example.com' },
          detail: { verdict: 'approve', roles: ['Approver'], nested: { n: 1 } },
        }),
        { at: '2025-01-01T10:03:00.000Z', kind: 'decision.refused', detail: { reason: 'no-role' } } satisfies AuditEntry,
        makeAudit('decision.submitted', { at: '2025-01-01T10:04:00.000Z', requestKey: 'r1' }),
      ];

      async function appendAll(): Promise<void> {
        for (const entry of entries) await store.appendAudit(entry);
      }

      it('lists nothing before anything is appended', async () => {
        assert.deepEqual(await store.listAudit({ limit: 10 }), []);
      });

      it('lists entries newest first, whole', async () => {
        await appendAll();
        assert.deepEqual(await store.listAudit({ limit: 10 }), [...entries].reverse());
      });

      it('lists only the entries of the request asked for', async () => {
        await appendAll();
        assert.deepEqual(await store.listAudit({ requestKey: 'r1', limit: 10 }), [entries[4], entries[2], entries[0]]);
      });

      it('returns at most `limit` entries, the newest', async () => {
        await appendAll();
        assert.deepEqual(await store.listAudit({ limit: 2 }), [entries[4], entries[3]]);
        assert.deepEqual(await store.listAudit({ requestKey: 'r1', limit: 2 }), [entries[4], entries[2]]);
      });
      it('exports the whole trail oldest first', async () => {
        await appendAll();
        const exported = [];
        for await (const entry of store.exportAudit()) exported.push(entry);
        assert.deepEqual(exported, entries);
      });

      it('lists only the kinds asked for, alone or with a request', async () => {
        await appendAll();
        assert.deepEqual(await store.listAudit({ kinds: ['decision.recorded', 'decision.refused'], limit: 10 }), [entries[3], entries[2]]);
        assert.deepEqual(await store.listAudit({ requestKey: 'r1', kinds: ['request.detected'], limit: 10 }), [entries[0]]);
        assert.deepEqual(await store.listAudit({ kinds: [], limit: 10 }), []);
      });
    });

    describe('re-posted cards', () => {
      it('makes a re-posted copy the one that follows the request, claimed before or not', async () => {
        const key = makeRequest().key;
        await store.recordCard({ requestKey: key, userId: 'user-a', conversationId: 'conv-a', activityId: 'first', postedAt: '2025-01-01T00:00:00.000Z' });
        await store.recordCard({ requestKey: key, userId: 'user-a', conversationId: 'conv-a', activityId: 'second', postedAt: '2025-01-01T01:00:00.000Z' });
        assert.deepEqual(await store.listCards(key), [{ requestKey: key, userId: 'user-a', conversationId: 'conv-a', activityId: 'second', postedAt: '2025-01-01T01:00:00.000Z' }]);
        assert.equal(await store.claimCard(makeClaim(key, 'user-a')), false, 'a recorded copy counts as claimed');
      });
    });

    describe('confirmations', () => {
      const confirmation = { id: 'c1', userId: 'user-a', action: 'disable' as const, source: 'azure' as const, expiresAt: '2999-01-01T00:00:00.000Z' };

      it('drops confirmations that expired by the time it is given, not by the machine\'s clock', async () => {
        const early = { ...confirmation, id: 'early', expiresAt: '2999-01-01T00:05:00.000Z' };
        await store.saveConfirmation(early, new Date('2999-01-01T00:00:00.000Z'));
        await store.saveConfirmation({ ...confirmation, id: 'later', expiresAt: '2999-01-01T00:20:00.000Z' }, new Date('2999-01-01T00:10:00.000Z'));
        assert.equal(await store.takeConfirmation('early'), undefined);
        assert.equal((await store.takeConfirmation('later'))?.id, 'later');
      });

      it('hands a confirmation back exactly once', async () => {
        await store.saveConfirmation(confirmation, new Date('2026-11-30T12:00:00.000Z'));
        const takes = await Promise.all([store.takeConfirmation('c1'), store.takeConfirmation('c1'), store.takeConfirmation('c1')]);
        assert.deepEqual(takes.filter(Boolean), [confirmation]);
      });

      it('finds nothing for an id it never saw', async () => {
        assert.equal(await store.takeConfirmation('nope'), undefined);
      });
    });

    describe('leases', () => {
      const t0 = new Date('2025-01-01T10:00:00.000Z');
      const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
      const TTL = 30_000;

      it('grants a free lease and refuses it to another holder while it lasts', async () => {
        assert.equal(await store.acquireLease('watcher', 'a', TTL, t0), true);
        assert.equal(await store.acquireLease('watcher', 'b', TTL, at(29)), false);
      });

      it(`grants exactly one of ${N} holders competing for a free lease`, async () => {
        const results = await Promise.all(Array.from({ length: N }, (_, i) => store.acquireLease('watcher', `holder-${i}`, TTL, t0)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it(`grants exactly one of ${N} holders competing for an expired lease`, async () => {
        await store.acquireLease('watcher', 'gone', TTL, t0);
        const results = await Promise.all(Array.from({ length: N }, (_, i) => store.acquireLease('watcher', `holder-${i}`, TTL, at(31))));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('keeps the lease with a holder that renews it, past the first expiry', async () => {
        await store.acquireLease('watcher', 'a', TTL, t0);
        assert.equal(await store.acquireLease('watcher', 'a', TTL, at(20)), true);
        assert.equal(await store.acquireLease('watcher', 'b', TTL, at(45)), false);
        assert.equal(await store.acquireLease('watcher', 'b', TTL, at(50)), true, 'taken over once the renewal ran out');
      });

      it('lets another holder take over an expired lease, after which the old holder is refused', async () => {
        await store.acquireLease('watcher', 'a', TTL, t0);
        assert.equal(await store.acquireLease('watcher', 'b', TTL, at(30)), true);
        assert.equal(await store.acquireLease('watcher', 'a', TTL, at(31)), false);
      });

      it('frees a released lease at once, and ignores a release by someone who does not hold it', async () => {
        await store.acquireLease('watcher', 'a', TTL, t0);
        await store.releaseLease('watcher', 'b');
        assert.equal(await store.acquireLease('watcher', 'b', TTL, at(1)), false);
        await store.releaseLease('watcher', 'a');
        assert.equal(await store.acquireLease('watcher', 'b', TTL, at(1)), true);
        await store.releaseLease('nothing', 'a');
      });

      it('keeps leases of different names apart', async () => {
        assert.equal(await store.acquireLease('watcher', 'a', TTL, t0), true);
        assert.equal(await store.acquireLease('other', 'b', TTL, t0), true);
      });
    });

    describe('the delivery queue', () => {
      const t0 = Date.parse('2026-11-30T12:00:00.000Z');
      const iso = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
      const item = (id: string, fields: Partial<Delivery> = {}): Delivery => ({
        id, kind: 'request-card', requestKey: `azure:sub-1:${id}`, userId: 'user-1', priority: 0, dueBy: iso(3600),
        availableAt: iso(0), state: 'queued', attempts: 0, enqueuedAt: iso(0), ...fields,
      });
      const ids = (list: { value: Delivery }[]) => list.map((d) => d.value.id);

      it('queues an item once, and returns it whole', async () => {
        assert.equal(await store.enqueueDelivery(item('a')), true);
        assert.equal(await store.enqueueDelivery(item('a', { userId: 'someone-else' })), false);
        const [found, ...rest] = await store.nextDeliveries(new Date(t0), 10);
        assert.deepEqual(found?.value, item('a'));
        assert.equal(rest.length, 0);
        assert.equal(await store.countDeliveries(), 1);
      });

      it('queues several items at once, each once, saying for each whether it was queued new', async () => {
        await store.enqueueDelivery(item('queued-before', { userId: 'first' }));
        const answers = await store.enqueueDeliveries([
          item('a'), item('queued-before', { userId: 'second' }), item('b', { priority: 1 }), item('a', { userId: 'someone-else' }),
        ]);
        assert.deepEqual(answers, [true, false, true, false]);
        const found = await store.nextDeliveries(new Date(t0), 10);
        assert.deepEqual(found.map((d) => d.value).sort(byKey((d) => d.id)), [item('a'), item('b', { priority: 1 }), item('queued-before', { userId: 'first' })]);
        assert.equal(await store.countDeliveries(), 3);
        assert.deepEqual(await store.enqueueDeliveries([item('a'), item('b')]), [false, false], 'queued twice is still one item each');
        assert.deepEqual(await store.enqueueDeliveries([]), []);
      });

      it(`queues a long list at once (${N * 6} items), each once`, async () => {
        const many = Array.from({ length: N * 6 }, (_, i) => item(`bulk-${String(i).padStart(3, '0')}`));
        const answers = await store.enqueueDeliveries(many);
        assert.deepEqual(answers, many.map(() => true));
        assert.equal(await store.countDeliveries(), many.length);
        assert.deepEqual(ids(await store.nextDeliveries(new Date(t0), many.length)), many.map((d) => d.id));
      });

      it('lets exactly one of concurrent batches queue each item', async () => {
        const batch = ['x', 'y', 'z'].map((id) => item(id));
        const answers = await Promise.all(Array.from({ length: 5 }, () => store.enqueueDeliveries(batch)));
        for (const [i, d] of batch.entries()) assert.equal(answers.filter((a) => a[i]).length, 1, `${d.id} queued once`);
        assert.equal(await store.countDeliveries(), batch.length);
      });

      it('hands out items that the reader cannot change for later readers', async () => {
        await store.enqueueDelivery(item('a'));
        const [read] = await store.nextDeliveries(new Date(t0), 10);
        tryToChange(() => Object.assign(read!.value, { state: 'sending', attempts: 9 }));
        assert.deepEqual((await store.nextDeliveries(new Date(t0), 10))[0]?.value, item('a'));
      });

      it("leaves a worker's own item theirs: changing it after a replace changes neither the store nor later reads", async () => {
        await store.enqueueDelivery(item('a'));
        const [read] = await store.nextDeliveries(new Date(t0), 10);
        const taken: Delivery = { ...read!.value, state: 'sending', attempts: 1 };
        const etag = await store.replaceDelivery(taken, read!.etag);
        taken.attempts = 7;
        taken.lastError = 'changed afterwards';
        const [again] = await store.nextDeliveries(new Date(t0), 10);
        assert.deepEqual(again, { value: { ...item('a'), state: 'sending', attempts: 1 }, etag });
      });

      it('hands items out by priority, then the earliest due, then the earliest queued, up to the limit', async () => {
        await store.enqueueDelivery(item('update', { priority: 1, dueBy: iso(10) }));
        await store.enqueueDelivery(item('late', { dueBy: iso(7200) }));
        await store.enqueueDelivery(item('soon-second', { dueBy: iso(600), enqueuedAt: iso(1) }));
        await store.enqueueDelivery(item('soon-first', { dueBy: iso(600), enqueuedAt: iso(0) }));
        assert.deepEqual(ids(await store.nextDeliveries(new Date(t0 + 5000), 10)), ['soon-first', 'soon-second', 'late', 'update']);
        assert.deepEqual(ids(await store.nextDeliveries(new Date(t0 + 5000), 2)), ['soon-first', 'soon-second']);
      });

      it('holds back an item until it is available', async () => {
        await store.enqueueDelivery(item('later', { availableAt: iso(30) }));
        assert.deepEqual(ids(await store.nextDeliveries(new Date(t0), 10)), []);
        assert.deepEqual(ids(await store.nextDeliveries(new Date(t0 + 30_000), 10)), ['later']);
      });

      it('lets exactly one of two workers take an item (compare-and-set)', async () => {
        await store.enqueueDelivery(item('a'));
        const [read] = await store.nextDeliveries(new Date(t0), 10);
        const taken = { ...read!.value, state: 'sending' as const, availableAt: iso(60) };
        const first = await store.replaceDelivery(taken, read!.etag);
        assert.equal(typeof first, 'string');
        assert.equal(await store.replaceDelivery(taken, read!.etag), undefined);
        assert.deepEqual(ids(await store.nextDeliveries(new Date(t0), 10)), [], 'a taken item waits until its time runs out');
        const [again] = await store.nextDeliveries(new Date(t0 + 60_000), 10);
        assert.deepEqual(again?.value, taken);
        assert.equal(again?.etag, first);
      });

      it('removes an item, and removing it again does nothing', async () => {
        await store.enqueueDelivery(item('a'));
        const [read] = await store.nextDeliveries(new Date(t0), 10);
        await store.removeDelivery('a');
        await store.removeDelivery('a');
        assert.equal(await store.countDeliveries(), 0);
        assert.equal(await store.replaceDelivery(item('a'), read!.etag), undefined, 'a removed item is not brought back');
        assert.equal(await store.enqueueDelivery(item('a')), true, 'queued again once gone');
      });
    });

    it('answers a ping', async () => {
      await store.ping();
    });
  });
}
