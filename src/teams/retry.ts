/** How a send the connector refused for now is tried again. */
export interface RetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number;
  /** Backoff before the second try when no Retry-After came; it doubles each time, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is not waited out: the send fails, and the caller's next round tries again. */
  maxRetryAfterMs: number;
  random(): number;
  sleep(ms: number): Promise<void>;
  /** Wall-clock milliseconds (the Clock port's), to read a Retry-After given as an HTTP date. */
  now(): number;
}

/** The policy without its clock: the messenger adds the Clock port's time. */
export const DEFAULT_RETRY: Omit<RetryPolicy, 'now'> = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  random: () => Math.random(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Throttled (429), a precondition raced (412), or a gateway or the service briefly down: worth another try. */
const RETRYABLE = new Set([412, 429, 502, 503, 504]);

/** The HTTP status and Retry-After of a failed connector call, as botbuilder's RestError carries them. */
export function failureOf(error: unknown): { status?: number; retryAfter?: string } {
  const { statusCode, response } = (error ?? {}) as { statusCode?: unknown; response?: { headers?: { get?: (name: string) => string | undefined } } };
  const headers = response?.headers;
  return {
    status: typeof statusCode === 'number' ? statusCode : undefined,
    retryAfter: typeof headers?.get === 'function' ? headers.get('retry-after') : undefined,
  };
}

/** Retry-After in milliseconds from `nowMs`: either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * How long to wait before try number `attempt + 1`, or undefined when trying again cannot help. Without
 * a Retry-After, the backoff doubles with each try and half of it is random, so senders refused together
 * do not all come back at the same instant.
 */
export function retryDelay(error: unknown, attempt: number, policy: RetryPolicy): number | undefined {
  const { status, retryAfter } = failureOf(error);
  if (status === undefined || !RETRYABLE.has(status) || attempt >= policy.attempts) return undefined;
  const asked = parseRetryAfter(retryAfter, policy.now());
  if (asked !== undefined) return asked <= policy.maxRetryAfterMs ? asked : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + (policy.random() * ceiling) / 2;
}

/** Runs `attempt` until it succeeds or `retryDelay` says to stop; then throws the last error. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = retryDelay(error, tries, policy);
      if (delay === undefined) throw error;
      await policy.sleep(delay);
    }
  }
}
