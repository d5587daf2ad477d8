import assert from 'node:assert/strict';
import sinon from 'sinon';
import { Pacer, TEAMS_LIMITS, type PacerLimits, type RateLimit } from '../../src/teams/pacer';

interface Send {
  conversationId: string;
  at: number;
}

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first pair of sends more than `count` apart in the list that fall within one window, if any. */
function overrun(times: number[], { count, windowMs }: RateLimit): string | undefined {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i + count < sorted.length; i++) {
    if (sorted[i + count]! - sorted[i]! < windowMs) return `${count + 1} sends between ${sorted[i]} and ${sorted[i + count]} ms, limit ${count}/${windowMs} ms`;
  }
  return undefined;
}

function assertWithin(sends: Send[], limits: PacerLimits, label: string): void {
  for (const limit of limits.tenant) {
    const problem = overrun(sends.map((s) => s.at), limit);
    assert.equal(problem, undefined, `${label}, tenant: ${problem}`);
  }
  for (const id of new Set(sends.map((s) => s.conversationId))) {
    const times = sends.filter((s) => s.conversationId === id).map((s) => s.at);
    for (const limit of limits.conversation) {
      const problem = overrun(times, limit);
      assert.equal(problem, undefined, `${label}, conversation ${id}: ${problem}`);
    }
  }
}

describe('the pacer', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] })));
  afterEach(() => clock.restore());

  /** Queues each send at its arrival time, lets fake time run until all have started, returns when each started. */
  async function drive(pacer: Pacer, arrivals: { conversationId: string; arriveAt: number }[]): Promise<Send[]> {
    const started = performance.now();
    const sends: Send[] = [];
    const done = arrivals.map(
      ({ conversationId, arriveAt }) =>
        new Promise<void>((resolve, reject) => {
          setTimeout(() => pacer.run(conversationId, async () => void sends.push({ conversationId, at: performance.now() - started })).then(resolve, reject), arriveAt);
        }),
    );
    let settled = false;
    void Promise.all(done).then(() => (settled = true));
    for (let guard = 0; !settled; guard++) {
      assert.ok(guard < 100_000, 'the sends never all started');
      await clock.tickAsync(1000);
    }
    return sends;
  }

  const at = (conversationId: string, arriveAt = 0) => ({ conversationId, arriveAt });

  it('never lets more sends through than any window allows, over a few hundred sends with the documented limits', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const next = random(seed);
      const arrivals = Array.from({ length: 300 }, () => at(next() < 0.5 ? 'busy' : `chat-${Math.floor(next() * 40)}`, Math.floor(next() * 20_000)));
      const sends = await drive(new Pacer(TEAMS_LIMITS), arrivals);
      assert.equal(sends.length, arrivals.length);
      assertWithin(sends, TEAMS_LIMITS, `seed ${seed}`);
    }
  });

  it('never lets more sends through than any window allows, for random limits and workloads', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const next = random(seed * 7919);
      const limit = (): RateLimit => ({ count: 1 + Math.floor(next() * 8), windowMs: 10 + Math.floor(next() * 2000) });
      const limits: PacerLimits = { tenant: Array.from({ length: 1 + Math.floor(next() * 2) }, limit), conversation: Array.from({ length: 1 + Math.floor(next() * 3) }, limit) };
      const conversations = 1 + Math.floor(next() * 6);
      const arrivals = Array.from({ length: 200 }, () => at(`chat-${Math.floor(next() ** 2 * conversations)}`, Math.floor(next() * 5000)));
      const sends = await drive(new Pacer(limits), arrivals);
      assert.equal(sends.length, arrivals.length);
      assertWithin(sends, limits, `seed ${seed}, limits ${JSON.stringify(limits)}`);
    }
  });

  it('keeps to the hourly limit of one conversation as well as the short ones', async () => {
    const limits: PacerLimits = { tenant: [], conversation: [{ count: 3, windowMs: 100 }, { count: 10, windowMs: 60_000 }] };
    const sends = await drive(new Pacer(limits), Array.from({ length: 25 }, () => at('chat')));
    assertWithin(sends, limits, 'hourly');
    assert.ok(sends[9]!.at < 1000, 'the first ten go within the short limits');
    assert.equal(sends[10]!.at, 60_000, 'the eleventh waits for the first to leave the long window');
  });

  it('lets the first send of a quiet pacer go at once', async () => {
    const sends = await drive(new Pacer(TEAMS_LIMITS), [at('chat')]);
    assert.equal(sends[0]!.at, 0);
  });

  it('spreads a queued burst evenly at the tenant rate instead of sending it all at once', async () => {
    const sends = await drive(new Pacer(TEAMS_LIMITS), Array.from({ length: 120 }, (_, i) => at(`chat-${i}`)));
    const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
    assert.ok(gaps.every((gap) => gap >= 20 && gap < 21), `gaps between sends: ${[...new Set(gaps)].join(', ')} ms`);
  });

  it('keeps the average rate when its timers fire late, without letting a gap shrink by more than a tenth', async () => {
    const late = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms + 1)) };
    const sends = await drive(new Pacer(TEAMS_LIMITS, late), Array.from({ length: 100 }, (_, i) => at(`chat-${i}`)));
    const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
    assert.ok(gaps.every((gap) => gap >= 18), `gaps between sends: ${[...new Set(gaps)].join(', ')} ms`);
    assert.ok(sends.at(-1)!.at <= 99 * 20 + 5, `the 100th send started at ${sends.at(-1)!.at} ms`);
  });

  it('spreads a burst into one conversation evenly at its fastest allowed rate', async () => {
    const sends = await drive(new Pacer(TEAMS_LIMITS), Array.from({ length: 7 }, () => at('chat')));
    const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
    // Timers fire on whole milliseconds: a gap rounded up is made up on the next one.
    assert.ok(gaps.every((gap) => gap >= 142 && gap <= 143), `gaps between sends: ${gaps.join(', ')} ms`);
    assert.equal(sends.at(-1)!.at, Math.ceil((6 * 1000) / 7));
  });

  it('does not let a conversation at its own limit hold up the others, which wait only for the tenant limit', async () => {
    const sends = await drive(new Pacer(TEAMS_LIMITS), [...Array.from({ length: 30 }, () => at('busy')), ...Array.from({ length: 45 }, (_, i) => at(`chat-${i}`))]);
    const others = sends.filter((s) => s.conversationId !== 'busy');
    // Only the busy chat's first send is ahead of them; each then waits just for its 20 ms tenant slot.
    assert.deepEqual(others.map((s) => s.at), others.map((_, i) => (i + 1) * 20));
    assertWithin(sends, TEAMS_LIMITS, 'mixed');
  });

  it('counts a send from when its answer came back, so a slow answer cannot crowd the next window at the server', async () => {
    const pacer = new Pacer({ tenant: [], conversation: [{ count: 1, windowMs: 1000 }] });
    const slow = pacer.run('chat', () => new Promise((resolve) => setTimeout(resolve, 300)));
    let startedAt: number | undefined;
    const next = pacer.run('chat', async () => void (startedAt = Date.now()));
    await clock.tickAsync(5000);
    await Promise.all([slow, next]);
    assert.equal(startedAt, 1300);
  });

  it('holds a send while as many as a window allows are still under way, counting them as the latest', async () => {
    const pacer = new Pacer({ tenant: [], conversation: [{ count: 2, windowMs: 1000 }] });
    const started: number[] = [];
    const hang = (ms: number) => async () => {
      started.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, ms));
    };
    const runs = [pacer.run('chat', hang(5000)), pacer.run('chat', hang(5000)), pacer.run('chat', hang(0))];
    await clock.tickAsync(10_000);
    await Promise.all(runs);
    // The first answer comes at 5000 ms and the second is still due: the third waits a window after that answer.
    assert.deepEqual(started, [0, 500, 6000]);
  });

  it('keeps the order of sends within a conversation', async () => {
    const pacer = new Pacer(TEAMS_LIMITS);
    const order: number[] = [];
    const runs = Array.from({ length: 10 }, (_, i) => pacer.run('chat', async () => void order.push(i)));
    await clock.tickAsync(10_000);
    await Promise.all(runs);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('passes on what the task returns or throws, and counts a failed send against the limits', async () => {
    const pacer = new Pacer({ tenant: [], conversation: [{ count: 1, windowMs: 1000 }] });
    assert.equal(await pacer.run('chat', async () => 'activity-1'), 'activity-1');
    const failing = pacer.run('chat', async () => {
      throw new Error('429');
    });
    const rejected = assert.rejects(failing, /429/);
    await clock.tickAsync(1000);
    await rejected;
    let startedAt: number | undefined;
    const after = pacer.run('chat', async () => void (startedAt = Date.now()));
    await clock.tickAsync(2000);
    await after;
    assert.equal(startedAt, 2000);
  });

  it('forgets a conversation once nothing is queued and its longest window has passed, to bound memory', async () => {
    const pacer = new Pacer(TEAMS_LIMITS);
    await drive(pacer, Array.from({ length: 200 }, (_, i) => at(`chat-${i}`)));
    assert.equal(pacer.trackedConversations, 200);
    await clock.tickAsync(3_600_000);
    await pacer.run('another', async () => undefined);
    assert.equal(pacer.trackedConversations, 1);
  });
});
