import type { Clock } from '../domain/ports';

/**
 * The one place the bot reads the wall clock. Everything else takes a `Clock` (tests pass their own);
 * test/repository/one-clock.test.ts keeps it that way.
 */
export const systemClock: Clock = { now: () => new Date() };
