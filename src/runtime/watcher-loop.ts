import type { Logger } from '../domain/ports';
import type { PollReport } from '../domain/usecases/poll';

/** Runs one poll at a time, every interval; `kick()` asks for the next one now (e.g. after an install). */
export class WatcherLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private again = false;
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

  kick(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
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

  private schedule(delay: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref?.();
  }

  private tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        this.lastReport = await this.poll();
      } catch (error) {
        this.logger.error('The watcher failed a cycle; it will try again', { error: String(error) });
      } finally {
        this.running = undefined;
        const next = this.again ? 0 : this.intervalMs;
        this.again = false;
        this.schedule(next);
      }
    })();
    return this.running;
  }
}
