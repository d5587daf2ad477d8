import { timeLeft, type LockboxRequest } from '../../domain/request';
import { duration } from './text';

/** Longest access that makes sense (a year); Microsoft grants hours. */
const MAX_ACCESS_HOURS = 24 * 366;
/** A lockbox request lives days, not years: a date further out than this is a bad field. */
const FAR_FUTURE_MS = 366 * 24 * 3_600_000;
const EARLIEST = Date.UTC(2000, 0, 1);

/** A time worth showing as a date: not before this century, not more than a year after `reference`. */
export function sensibleTime(iso: string, reference: Date): boolean {
  const at = Date.parse(iso);
  return Number.isFinite(at) && at >= EARLIEST && at <= reference.getTime() + FAR_FUTURE_MS;
}

/** A number of hours of access worth showing as such, never "-8 hours" or "2912109 hours". */
export function sensibleHours(hours: number): boolean {
  return Number.isFinite(hours) && hours > 0 && hours <= MAX_ACCESS_HOURS;
}

/** "3 d 23 h" until the request expires, or undefined when its expiry is a bad field (never "2912109 d"). */
export function timeLeftWords(request: Pick<LockboxRequest, 'expiresAt'>, now: Date, locale?: string): string | undefined {
  return sensibleTime(request.expiresAt, now) ? duration(timeLeft(request, now), locale) : undefined;
}
