import { timeLeft, type LockboxRequest } from './request';
import type { TrackedRequest } from './tracked';

/** PagerDuty's severities the bot uses, lowest first. */
export const SEVERITIES = ['warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Pages an on-call rotation in a paging service: one alert per request, raised as expiry nears and
 * resolved once the request needs nobody any more. Throws UpstreamError; one that is not transient
 * (the service refused the event) is not sent again.
 */
export interface Pager {
  trigger(tracked: TrackedRequest, severity: Severity): Promise<void>;
  resolve(tracked: TrackedRequest): Promise<void>;
}

const HOUR = 3_600_000;

/** Rises as expiry nears: warning with more than half the lifetime left, error from half, critical in the last fifth or hour. */
export function severityFor(request: Pick<LockboxRequest, 'createdAt' | 'expiresAt'>, now: Date): Severity {
  const left = timeLeft(request, now);
  const life = Date.parse(request.expiresAt) - Date.parse(request.createdAt);
  if (left <= HOUR || left <= life * 0.2) return 'critical';
  if (left <= life * 0.5) return 'error';
  return 'warning';
}

/** Record ids in TrackedRequest.notifications: `page/<severity>` for each trigger, `page/resolve`. */
export const pageTriggerId = (severity: Severity) => `page/${severity}`;
export const PAGE_RESOLVE_ID = 'page/resolve';

/** An alert was (or may have been) raised and nothing has resolved it yet. */
export function pageAwaitsResolve(t: Pick<TrackedRequest, 'notifications'>): boolean {
  const records = t.notifications ?? {};
  return !records[PAGE_RESOLVE_ID] && SEVERITIES.some((s) => ['sent', 'sending'].includes(records[pageTriggerId(s)]?.state ?? ''));
}
