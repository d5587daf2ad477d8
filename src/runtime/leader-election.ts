import { performance } from 'node:perf_hooks';
import { StoreUnavailable } from '../domain/errors';
import type { Clock, Logger, Store } from '../domain/ports';

export interface LeaderElectionOptions {
  store: Pick<Store, 'acquireLease' | 'releaseLease'>;
  /** The lease's name: instances competing for the same name elect one leader. */
  name: string;
  /** This instance, unique among those sharing the store. */
  holder: string;
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  /** This instance now leads: start the work only one instance may do. */
  onGain(): void;
  /** It no longer does (lost the lease, or could not renew it in time): stop that work. */
  onLoss(): Promise<void> | void;
}

/**
 * One leader among instances sharing a store, through a lease renewed every ttl/3. A leader that cannot
 * renew steps down a sixth of the lease before it runs out, so two instances lead at once only if their
 * clocks disagree by more than that. The lease only spares the others the work: exactly-once still rests
 * on the store's compare-and-set (card claims, submission leases), so a deposed leader finishing its poll is harmless.
 */
export class LeaderElection {
  private leading = false;
  private stopped = false;
  /** When, on this process's monotonic clock, the lease last won runs out. */
  private leaseEnd = 0;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  /** The last attempt on the lease that went wrong: a store too slow or failing leaves every instance idle. */
  private lastProblem?: { problem: 'timeout' | 'error'; at: string };
  private lastAttemptOk = true;

  constructor(private readonly options: LeaderElectionOptions) {}

  /** For /healthz: whether the last try on the lease got an answer, and when it last did not. */
  health(): { ok: boolean; leading: boolean; lastProblem: { problem: 'timeout' | 'error'; at: string } | null } {
    return { ok: this.lastAttemptOk, leading: this.leading, lastProblem: this.lastProblem ?? null };
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Tries for the lease now and keeps trying; resolves once this first attempt has settled. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  /** Stops competing; a leader stops its work and releases the lease so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    if (!this.leading) return;
    this.leading = false;
    await this.options.onLoss();
    await this.options.store.releaseLease(this.options.name, this.options.holder).catch((error) => {
      this.options.logger.warn('Could not release the leader lease; another instance takes over once it expires', { error: String(error) });
    });
  }

  private tick(): Promise<void> {
    this.ticking = (async () => {
      const won = await this.attempt();
      if (this.stopped) {
        this.leading ||= won;
        return;
      }
      if (won && !this.leading) {
        this.leading = true;
        this.options.logger.info('This instance now leads: it polls and posts cards', { holder: this.options.holder });
        this.options.onGain();
      } else if (!won && this.leading) {
        this.leading = false;
        this.options.logger.warn('This instance no longer leads: it stops polling and keeps answering clicks', { holder: this.options.holder });
        void Promise.resolve(this.options.onLoss()).catch((error) => this.options.logger.error('Stopping the watcher failed', { error: String(error) }));
      }
      this.timer = setTimeout(() => void this.tick(), this.options.ttlMs / 3);
      this.timer.unref?.();
    })();
    return this.ticking;
  }

  private async attempt(): Promise<boolean> {
    const { store, name, holder, ttlMs, clock, logger } = this.options;
    const started = performance.now();
    // A renewal that hangs must not keep this instance leading until its lease has run out.
    const budget = this.leading ? Math.min(ttlMs / 3, this.leaseEnd - started - ttlMs / 6) : ttlMs / 3;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, budget))));
    try {
      const outcome = await Promise.race([store.acquireLease(name, holder, ttlMs, clock.now()), timeout]);
      if (outcome === 'timeout') logger.warn('The leader lease did not answer in time', { holder, budgetMs: Math.round(budget) });
      if (outcome === true) this.leaseEnd = started + ttlMs;
      this.lastAttemptOk = outcome !== 'timeout';
      if (outcome === 'timeout') this.lastProblem = { problem: 'timeout', at: clock.now().toISOString() };
      return outcome === true;
    } catch (error) {
      logger.warn('Could not take or renew the leader lease', { holder, error: String(error) });
      this.lastAttemptOk = false;
      this.lastProblem = { problem: error instanceof StoreUnavailable && error.reason === 'timeout' ? 'timeout' : 'error', at: clock.now().toISOString() };
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
