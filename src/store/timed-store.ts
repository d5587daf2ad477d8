import { StoreUnavailable } from '../domain/errors';
import type { Clock, Logger, Store } from '../domain/ports';

/** What /healthz says about the store's speed: when it last missed a deadline, and how often since start. */
export interface StoreTimings {
  timeouts: number;
  lastTimeoutAt?: string;
  lastOperation?: string;
}

/**
 * Every store call with a deadline: a store that hangs (a frozen Table service) makes callers fail fast
 * with StoreUnavailable instead of waiting with them. A call that misses its deadline may still land later;
 * callers that told someone "nothing happened" must make sure it never counts (see withdrawAttempt).
 */
export function withDeadlines(store: Store, options: { timeoutMs: number; clock: Clock; logger: Logger }): { store: Store; timings: () => StoreTimings } {
  const timings: StoreTimings = { timeouts: 0 };
  const timed = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || property === 'exportAudit') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timings.timeouts++;
            timings.lastTimeoutAt = options.clock.now().toISOString();
            timings.lastOperation = String(property);
            options.logger.warn('The state store did not answer in time', { operation: String(property), timeoutMs: options.timeoutMs });
            reject(new StoreUnavailable(String(property), 'timeout'));
          }, options.timeoutMs);
          timer.unref?.();
        });
        result.catch(() => undefined);
        return Promise.race([result, deadline]).finally(() => clearTimeout(timer));
      };
    },
  });
  return { store: timed, timings: () => ({ ...timings }) };
}
