/** At most `count` sends in any `windowMs` long stretch of time. */
export interface RateLimit {
  count: number;
  windowMs: number;
}

export interface PacerLimits {
  /** Shared by every conversation: Teams counts requests per app per tenant. */
  tenant: RateLimit[];
  /** Applied to each conversation on its own. */
  conversation: RateLimit[];
}

/** Monotonic milliseconds and a way to wait; the default reads the global timers when called, so fake timers work. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The limits Teams documents for a bot: per conversation and per app per tenant. */
export const TEAMS_LIMITS: PacerLimits = {
  tenant: [{ count: 50, windowMs: 1000 }],
  conversation: [
    { count: 7, windowMs: 1000 },
    { count: 8, windowMs: 2000 },
    { count: 60, windowMs: 30_000 },
    { count: 1800, windowMs: 3_600_000 },
  ],
};

const systemClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Recent sends under one set of limits. A send may go when every limit has room and at least
 * `windowMs / count` of the fastest limit has passed since the previous one started, so sends come
 * evenly spaced instead of in bursts that a server counting from a slightly different instant refuses.
 *
 * The server counts a request when it arrives, somewhere between our start and its answer, and answers
 * come back with varying delays. So a send counts from when it finished, and one still under way counts
 * as the latest of all: then no window the server sees can hold more than ours, whatever the latency.
 */
class Window {
  /** When finished sends finished, in order. */
  private readonly finished: number[] = [];
  private inFlight = 0;
  private lastStart = -Infinity;
  private settled?: { promise: Promise<void>; resolve: () => void };
  private readonly spacingMs: number;
  private readonly horizonMs: number;

  constructor(private readonly limits: RateLimit[]) {
    this.spacingMs = limits.length ? Math.min(...limits.map((l) => l.windowMs / l.count)) : 0;
    this.horizonMs = Math.max(...limits.map((l) => l.windowMs), 0);
  }

  /** The earliest time, not before `now`, at which one more send fits; Infinity until a send under way finishes. */
  nextAt(now: number): number {
    this.forget(now);
    let at = Math.max(now, this.lastStart + this.spacingMs);
    for (const { count, windowMs } of this.limits) {
      if (this.inFlight >= count) return Infinity;
      const oldestCounted = this.finished[this.finished.length - (count - this.inFlight)];
      if (oldestCounted !== undefined) at = Math.max(at, oldestCounted + windowMs);
    }
    return at;
  }

  /** Records a send starting at `at`; call the returned function with the time it finished. */
  start(at: number): (finishedAt: number) => void {
    // A timer that fired a little late is made up on the next gap, by at most a tenth of it, so
    // the spacing holds on average instead of every late millisecond lowering the rate.
    const slot = this.lastStart + this.spacingMs;
    this.lastStart = at >= slot && at - slot <= this.spacingMs / 10 ? slot : at;
    this.inFlight++;
    return (finishedAt) => {
      this.inFlight--;
      let i = this.finished.length;
      while (i > 0 && this.finished[i - 1]! > finishedAt) i--;
      this.finished.splice(i, 0, finishedAt);
      this.settled?.resolve();
      this.settled = undefined;
    };
  }

  /** Resolves when a send under way finishes. */
  nextFinish(): Promise<void> {
    if (!this.settled) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.settled = { promise, resolve };
    }
    return this.settled.promise;
  }

  /** Nothing under way and nothing finished within the longest window: it no longer constrains anything. */
  isIdle(now: number): boolean {
    this.forget(now);
    return this.inFlight === 0 && this.finished.length === 0;
  }

  private forget(now: number): void {
    let stale = 0;
    while (stale < this.finished.length && this.finished[stale]! <= now - this.horizonMs) stale++;
    if (stale) this.finished.splice(0, stale);
  }
}

/** Runs tasks one after another, in the order they were queued. */
class Turns {
  private tail: Promise<unknown> = Promise.resolve();
  take<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(task);
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}

interface ConversationState {
  window: Window;
  turns: Turns;
  queued: number;
}

/**
 * Keeps proactive sends within Teams' rate limits: `run` waits until both the tenant-wide and the
 * conversation's windows have room, then starts the task. Each conversation queues on its own and only
 * enters the tenant-wide queue once its own limits allow, so a busy chat never holds up the others.
 * A conversation is forgotten once nothing is queued for it and its longest window has passed since
 * its last send. One pacer per process: instances scaled out would each need a share of the limits.
 */
export class Pacer {
  private readonly tenant: Window;
  private readonly tenantTurns = new Turns();
  private readonly conversations = new Map<string, ConversationState>();
  private lastSweep: number;

  constructor(private readonly limits: PacerLimits = TEAMS_LIMITS, private readonly clock: PacerClock = systemClock) {
    this.tenant = new Window(limits.tenant);
    this.lastSweep = clock.now();
  }

  /** Conversations whose recent sends are still remembered. */
  get trackedConversations(): number {
    return this.conversations.size;
  }

  /** Waits for room under every limit, then runs `task`; sends into one conversation start in the order asked. */
  async run<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    this.sweep();
    const conversation = this.conversation(conversationId);
    const finish: ((at: number) => void)[] = [];
    conversation.queued++;
    try {
      await conversation.turns.take(async () => {
        await this.until(conversation.window);
        await this.tenantTurns.take(async () => {
          await this.until(this.tenant);
          const now = this.clock.now();
          finish.push(this.tenant.start(now), conversation.window.start(now));
        });
      });
    } finally {
      conversation.queued--;
    }
    try {
      return await task();
    } finally {
      const now = this.clock.now();
      for (const done of finish) done(now);
    }
  }

  private async until(window: Window): Promise<void> {
    for (let now = this.clock.now(), at = window.nextAt(now); at > now; now = this.clock.now(), at = window.nextAt(now)) {
      await (at === Infinity ? window.nextFinish() : this.clock.sleep(Math.ceil(at - now)));
    }
  }

  private conversation(id: string): ConversationState {
    let state = this.conversations.get(id);
    if (!state) {
      state = { window: new Window(this.limits.conversation), turns: new Turns(), queued: 0 };
      this.conversations.set(id, state);
    }
    return state;
  }

  /** Forgets conversations with nothing queued and nothing sent within their longest window, at most once a second. */
  private sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [id, state] of this.conversations) {
      if (state.queued === 0 && state.window.isIdle(now)) this.conversations.delete(id);
    }
  }
}
