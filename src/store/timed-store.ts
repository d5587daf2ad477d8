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
  const withDeadline = (operation: string, result: Promise<unknown>) => new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => {
      timings.timeouts++;
      timings.lastTimeoutAt = options.clock.now().toISOString();
      timings.lastOperation = operation;
      options.logger.warn('The state store did not answer in time', { operation, timeoutMs: options.timeoutMs });
      reject(new StoreUnavailable(operation, 'timeout'));
    }, options.timeoutMs);
    timer.unref?.();
    // Settling after the deadline changes nothing; a late failure is handled here, not left unhandled.
    result.then((value) => (clearTimeout(timer), resolve(value)), (error: unknown) => (clearTimeout(timer), reject(error)));
  });
  // One wrapper per method, made once: a click calls the store about ten times.
  const wrappers = new Map<PropertyKey, { of: (...args: unknown[]) => unknown; call: (...args: unknown[]) => unknown }>();
  const timed = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || property === 'exportAudit') return value;
      let wrapper = wrappers.get(property);
      if (wrapper?.of !== value) {
        const method = value as (...args: unknown[]) => unknown;
        const call = (...args: unknown[]) => {
          const result = method.apply(target, args);
          return result instanceof Promise ? withDeadline(String(property), result) : result;
        };
        wrapper = { of: method, call };
        wrappers.set(property, wrapper);
      }
      return wrapper.call;
    },
  });
  return { store: timed, timings: () => ({ ...timings }) };
}
