import type { AuditEntry, Store } from '../../src/domain/ports';
import type { TrackedRequest } from '../../src/domain/tracked';

/**
 * A real store whose request writes can be held in flight, as a frozen store service holds them: each
 * held write has been sent and lands only when the test lets it, in the order the test picks.
 * Reads go through, so a test can put a reader between a write being sent and it landing.
 */
export class HeldWrites {
  readonly store: Store;
  private holding = false;
  private readonly queue: { land: () => void }[] = [];

  constructor(inner: Store) {
    this.store = new Proxy(inner, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== 'replaceRequest' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (request: TrackedRequest, etag: string, audit?: readonly AuditEntry[]) => {
          if (!this.holding) return target.replaceRequest(request, etag, audit);
          return new Promise<string | undefined>((resolve, reject) => {
            this.queue.push({ land: () => void target.replaceRequest(request, etag, audit).then(resolve, reject) });
          });
        };
      },
    });
  }

  /** Writes from now on wait in flight until `land`. */
  hold(): void {
    this.holding = true;
  }

  /** How many writes are in flight. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Lets the writes in flight land, in the given order of when they were sent (default: as sent), and stops holding. */
  land(order: number[] = this.queue.map((_, i) => i)): void {
    this.holding = false;
    const writes = order.map((i) => this.queue[i]!);
    this.queue.length = 0;
    for (const write of writes) write.land();
  }
}
