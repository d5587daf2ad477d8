import type { Logger } from '../domain/ports';
import type { PollReport } from '../domain/usecases/poll';

/** Kicked cycles start at least this far apart, so a storm of new chats costs a few polls, not one each. */
const KICK_SPACING_MS = 2000;

/** Runs one poll at a time, every interval; `kick()` asks for the next one soon (e.g. after an install). */
export class WatcherLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private again = false;
  private lastStart = -Infinity;
  private dueAt = Infinity;
  lastReport?: PollReport;

  /** `settle` waits for what a cycle queued to be delivered: `runOnce` includes it, the timed cycles never wait for it. */
  constructor(
    private readonly poll: () => Promise<PollReport>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly settle: () => Promise<void> = async () => undefined,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for one extra cycle; asks while one is waiting or running add nothing, and it starts no sooner than the spacing allows. */
  kick(): void {
    if (this.running) this.again = true;
    else this.schedule(this.spacingLeft(), true);
  }

  /** Resolves once any poll under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Runs one whole poll that starts after this call (waiting out any under way), then waits until what it
   * queued has been delivered: for tests and benchmarks.
   */
  async runOnce(): Promise<PollReport | undefined> {
    while (this.running) await this.running;
    await this.tick();
    await this.settle();
    return this.lastReport;
  }

  private spacingLeft(): number {
    return Math.max(0, this.lastStart + Math.min(KICK_SPACING_MS, this.intervalMs) - performance.now());
  }

  private schedule(delay: number, kicked = false): void {
    if (this.stopped) return;
    // A kick never puts off a cycle due sooner, and a second kick finds the first one's cycle waiting.
    if (kicked && this.timer && this.dueAt <= performance.now() + delay) return;
    clearTimeout(this.timer);
    this.dueAt = performance.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delay);
    this.timer.unref?.();
  }

  private tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.lastStart = performance.now();
    this.running = (async () => {
      try {
        this.lastReport = await this.poll();
      } catch (error) {
        this.logger.error('The watcher failed a cycle; it will try again', { error: String(error) });
      } finally {
        this.running = undefined;
        // Counted from the cycle's start, so a long cycle does not push the next detection further away.
        const next = this.again ? this.spacingLeft() : Math.max(0, this.lastStart + this.intervalMs - performance.now());
        this.again = false;
        this.schedule(next);
      }
    })();
    return this.running;
  }
}
