import type { LockboxRequest } from './request';

/** A moment in a request's life when people are told about it: when it arrives, and reminders before it expires. */
export interface Milestone {
  id: string;
  at: number;
  kind: 'new' | 'reminder';
}

export interface ReminderPolicy {
  /** Reminders when this share of the request's lifetime has passed, e.g. [0.5, 0.8]. */
  elapsedFractions: number[];
  /** For Microsoft 365 requests (12 hours), one more this long before expiry. */
  m365BeforeExpiryMs?: number;
}

export const DEFAULT_REMINDERS: ReminderPolicy = { elapsedFractions: [0.5, 0.8], m365BeforeExpiryMs: 3_600_000 };

/**
 * How pressing a request is, in step with the reminders: 'soon' once the last share-of-life reminder is
 * due (e.g. 20 % left), 'urgent' in the last hour.
 */
export function urgency(request: Pick<LockboxRequest, 'createdAt' | 'expiresAt'>, now: Date, policy: ReminderPolicy = DEFAULT_REMINDERS): 'calm' | 'soon' | 'urgent' {
  const created = Date.parse(request.createdAt);
  const expires = Date.parse(request.expiresAt);
  const left = expires - now.getTime();
  if (left <= URGENT_MS) return 'urgent';
  const last = Math.max(0, ...policy.elapsedFractions);
  return last > 0 && now.getTime() >= created + (expires - created) * last ? 'soon' : 'calm';
}

const URGENT_MS = 3_600_000;

/**
 * When people are told about a request. Its life runs from its creation, unless Microsoft's creation time
 * is after the bot first saw it (a clock ahead, a bad field) or not before its expiry: then from when the bot
 * first saw it, so the arrival notice and reminders still come.
 */
export function milestones(request: Pick<LockboxRequest, 'source' | 'createdAt' | 'expiresAt'>, policy: ReminderPolicy, firstSeenAt?: string): Milestone[] {
  const stated = Date.parse(request.createdAt);
  const seen = firstSeenAt === undefined ? Number.NaN : Date.parse(firstSeenAt);
  const created = !Number.isNaN(seen) && (Number.isNaN(stated) || stated > seen || stated >= Date.parse(request.expiresAt)) ? seen : stated;
  const expires = Date.parse(request.expiresAt);
  const life = expires - created;
  const list: Milestone[] = [{ id: 'new', at: created, kind: 'new' }];
  for (const fraction of policy.elapsedFractions) list.push({ id: `elapsed-${Math.round(fraction * 100)}`, at: created + life * fraction, kind: 'reminder' });
  if (request.source === 'm365' && policy.m365BeforeExpiryMs) list.push({ id: `before-expiry-${Math.round(policy.m365BeforeExpiryMs / 60_000)}m`, at: expires - policy.m365BeforeExpiryMs, kind: 'reminder' });
  return list.filter((m) => m.at < expires).sort((a, b) => a.at - b.at);
}

/**
 * What to send now: the latest milestone that is due and not yet handled, and the earlier unhandled
 * ones it makes pointless (a bot that was down through two reminders sends one, not two).
 */
export function dueMilestone(all: Milestone[], handled: ReadonlySet<string>, now: number): { send: Milestone; skip: Milestone[] } | undefined {
  const due = all.filter((m) => m.at <= now && !handled.has(m.id));
  const send = due.at(-1);
  if (!send) return undefined;
  // The arrival notice is never skipped in favour of a reminder: on-call must learn a request exists.
  const first = due[0]!;
  if (first.kind === 'new') return { send: first, skip: [] };
  return { send, skip: due.slice(0, -1) };
}
