import type { Clock, Delivery, Logger, Store, Versioned } from '../domain/ports';

export interface DeliveryWorkerOptions {
  store: Pick<Store, 'nextDeliveries'>;
  clock: Clock;
  logger: Logger;
  /** Sends one item; the delivery use case's `sendQueued`. */
  send(item: Versioned<Delivery>): Promise<void>;
  /** Sends under way at once, each into a different chat (Teams' limits are per chat, and per tenant in the pacer). */
  concurrency?: number;
  /** How often an idle worker looks for items queued by another instance or come out of their backoff. */
  idleMs?: number;
  /** Run once when the worker starts, before it sends: e.g. taking back what a stopped worker left half-done. */
  recover?(): Promise<unknown>;
  /** Awaited before sending what a look found: e.g. until the clicks being answered have their answers (Foreground.quiet). */
  yieldTo?(): Promise<void>;
}

/** Looks at the queue at most this often while woken again and again. */
const MIN_LOOK_GAP_MS = 50;

/**
 * Drains the durable delivery queue apart from the watcher's cycle, in the queue's order, at most one
 * send per chat at a time so one busy chat never holds up the others. `wake()` after queuing something.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly concurrency: number;
  private readonly idleMs: number;
  private running?: Promise<void>;
  private stopped = true;
  private signal?: () => void;
  private idleWaiters: (() => void)[] = [];
  private woken = false;
  private halted = Promise.resolve();
  private halt?: () => void;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.concurrency = options.concurrency ?? 16;
    this.idleMs = options.idleMs ?? 1000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halted = new Promise((resolve) => (this.halt = resolve));
    this.running = this.loop();
  }

  /** Stops taking items and waits for the sends under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halt?.();
    this.wake();
    await this.running;
    await Promise.all(this.inFlight.values());
  }

  wake(): void {
    this.woken = true;
    this.signal?.();
  }

  /** Resolves once nothing available is queued and nothing is under way: for tests and benchmarks. */
  settled(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.wake();
    return done;
  }

  private async loop(): Promise<void> {
    await this.options.recover?.().catch((error) => this.options.logger.error('Could not take back the deliveries a stopped worker left', { error: String(error) }));
    let lastLook = -Infinity;
    while (!this.stopped) {
      // A storm of wakes (every click queues card updates) costs a look every few milliseconds, not one per wake.
      const gap = lastLook + MIN_LOOK_GAP_MS - performance.now();
      if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap).unref?.());
      lastLook = performance.now();
      this.woken = false;
      let started = 0;
      try {
        const busy = new Set([...this.inFlight.keys()]);
        const room = this.concurrency - this.inFlight.size;
        const items = room > 0 ? await this.options.store.nextDeliveries(this.options.clock.now(), room + busy.size * 4 + 50) : [];
        // People waiting on a click go first; the sends their clicks caused follow a moment later. An item
        // changed meanwhile is not lost: taking it fails its compare-and-set, and the next look finds it.
        if (items.length && this.options.yieldTo) await Promise.race([this.options.yieldTo(), this.halted]);
        for (const item of items) {
          if (this.stopped) break;
          if (this.inFlight.size >= this.concurrency) break;
          if (busy.has(item.value.userId)) continue;
          busy.add(item.value.userId);
          this.begin(item);
          started++;
        }
      } catch (error) {
        this.options.logger.error('Could not read the delivery queue; will try again', { error: String(error) });
      }
      if (!started && !this.inFlight.size && !this.woken) {
        this.idleWaiters.splice(0).forEach((resolve) => resolve());
      }
      if (this.stopped) break;
      if (this.woken) continue;
      await new Promise<void>((resolve) => {
        this.signal = resolve;
        const timer = setTimeout(resolve, this.inFlight.size ? 60_000 : this.idleMs);
        timer.unref?.();
      });
      this.signal = undefined;
    }
    this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private begin(item: Versioned<Delivery>): void {
    const userId = item.value.userId;
    const send = this.options.send(item)
      .catch((error) => this.options.logger.error('A queued delivery failed unexpectedly; it is tried again once its time runs out', { id: item.value.id, error: String(error) }))
      .finally(() => {
        this.inFlight.delete(userId);
        this.wake();
      });
    this.inFlight.set(userId, send);
  }
}
