import assert from 'node:assert/strict';
import type { Store } from '../../src/domain/ports';
import { LeaderElection } from '../../src/runtime/leader-election';
import { silentLogger } from '../../src/runtime/logger';
import { TableStore } from '../../src/store/table';
import { createTableClient } from '../../src/store/table-client';
import { startAzurite, type RunningAzurite } from '../support/azurite';

const TTL_MS = 900;
const systemClock = { now: () => new Date() };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store whose lease calls hang once `down` is set, as when an instance loses its network. */
function unplugged(store: Store): Pick<Store, 'acquireLease' | 'releaseLease'> & { down: boolean } {
  const wrapper = {
    down: false,
    acquireLease: (...args: Parameters<Store['acquireLease']>) => (wrapper.down ? new Promise<boolean>(() => {}) : store.acquireLease(...args)),
    releaseLease: (...args: Parameters<Store['releaseLease']>) => store.releaseLease(...args),
  };
  return wrapper;
}

describe('LeaderElection over a TableStore on Azurite', function () {
  this.timeout(30_000);
  let azurite: RunningAzurite;
  let tables = 0;
  let elections: LeaderElection[] = [];

  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });
  afterEach(async () => {
    await Promise.all(elections.map((e) => e.stop()));
    elections = [];
  });

  async function instances(count: number) {
    const client = createTableClient({ connectionString: azurite.connectionString }, `lease${Date.now().toString(36)}${++tables}`);
    const store = await TableStore.open(client);
    return Promise.all(Array.from({ length: count }, async (_, i) => {
      const link = unplugged(store);
      const events: string[] = [];
      const election = new LeaderElection({
        store: link, name: 'watcher', holder: `instance-${i}`, ttlMs: TTL_MS, clock: systemClock, logger: silentLogger,
        onGain: () => void events.push('gain'),
        onLoss: () => void events.push('loss'),
      });
      elections.push(election);
      return { election, link, events };
    }));
  }

  const leaders = <T extends { election: LeaderElection }>(all: T[]) => all.filter((i) => i.election.isLeader());

  it('elects exactly one of three instances, and keeps it while it renews', async () => {
    const all = await instances(3);
    await Promise.all(all.map((i) => i.election.start()));
    assert.equal(leaders(all).length, 1);
    const [leader] = leaders(all);
    await sleep(TTL_MS * 2);
    assert.deepEqual(leaders(all), [leader], 'the same instance still leads after several lease lengths');
    assert.deepEqual(leader!.events, ['gain']);
  });

  it('replaces a leader that stops renewing within a lease and a third, never with two leading at once', async () => {
    const all = await instances(3);
    await Promise.all(all.map((i) => i.election.start()));
    const [old] = leaders(all);
    old!.link.down = true;
    const cut = Date.now();
    let overlap = false;
    while (!leaders(all).some((i) => i !== old)) {
      overlap ||= leaders(all).length > 1;
      assert.ok(Date.now() - cut < TTL_MS * 2, 'another instance took over in time');
      await sleep(5);
    }
    assert.equal(overlap, false);
    assert.ok(Date.now() - cut <= TTL_MS + TTL_MS / 3 + 300, `took over after ${Date.now() - cut} ms`);
    assert.deepEqual(old!.events, ['gain', 'loss']);
    assert.equal(leaders(all).length, 1);
  });

  it('hands over at the next attempt when the leader stops and releases its lease', async () => {
    const all = await instances(2);
    await Promise.all(all.map((i) => i.election.start()));
    const [leader] = leaders(all);
    const stopped = Date.now();
    await leader!.election.stop();
    assert.deepEqual(leader!.events, ['gain', 'loss']);
    while (leaders(all).length === 0) await sleep(5);
    assert.ok(Date.now() - stopped < TTL_MS, 'well before the lease would have expired');
  });
});
