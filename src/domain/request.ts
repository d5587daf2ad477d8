/** Where a lockbox request comes from: Azure Customer Lockbox or Microsoft 365 Customer Lockbox. */
export type SourceKind = 'azure' | 'm365';

/** Upstream statuses after which nothing can change any more. An approval still expires or gets revoked. */
const FINAL_STATUSES = new Set(['Denied', 'Expired', 'Revoked', 'Completed', 'Canceled', 'Cancelled', 'Error']);

/** How far along its life a status is: a request never goes back (a stale list page can still show it Pending). */
const STAGE: Record<string, number> = { Initializing: 0, Pending: 1, Approving: 2, Denying: 2, Approved: 3, Denied: 3, Revoking: 4, Completing: 4 };

/** A lockbox request as the domain sees it, whichever product it came from. */
export interface LockboxRequest {
  source: SourceKind;
  requestId: string;
  /** Azure only: the subscription the request is scoped to; absent for tenant-scoped requests. */
  subscriptionId?: string;
  /**
   * Azure only: the subscription whose listing showed the request, used to read it again and to tell a failed
   * listing from a vanished request; never to decide who may approve it (that is `subscriptionId`, from the record).
   */
  listedIn?: string;
  /** Azure only: the subscription's display name, when the bot could read it. */
  subscriptionName?: string;
  /** Who at Microsoft asks, when upstream says (Microsoft 365 `Requestor`). */
  requester?: string;
  status: string;
  justification?: string;
  resourceIds: string[];
  resourceType?: string;
  supportRequest?: string;
  supportCaseUrl?: string;
  workItemSource?: string;
  accessLevel?: string;
  /** Requested access in hours, when upstream gave a number. */
  durationHours?: number;
  /** Requested access as upstream worded it, e.g. "Support request lifetime". */
  durationText?: string;
  createdAt: string;
  expiresAt: string;
  /**
   * Decisions on it are taken in Microsoft's portal, not in Teams: cards inform, they do not decide. Microsoft 365
   * with M365_DECISIONS=admin-center; an Azure request whose own record names no single subscription.
   */
  decideInPortal?: boolean;
  /** Non-essential fields the upstream record lacked or gave in a form the bot could not read; the card says so. */
  incomplete?: string[];
  /** The upstream record as received, so nothing a future API adds is lost. */
  raw: unknown;
}

/**
 * Microsoft compares request and subscription ids without regard to letter case (ARM ids, GUIDs, Exchange
 * references), so the same request spelt in another case is the same request: one key, in lower case.
 */
export function requestKey(r: Pick<LockboxRequest, 'source' | 'requestId' | 'subscriptionId'>): string {
  return canonicalKey([r.source, r.subscriptionId ?? 'tenant', r.requestId].join(':'));
}

/** A request key as stored, from one that came from outside (a card's data, an older card) in any letter case. */
export function canonicalKey(key: string): string {
  return key.toLowerCase();
}

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

/** Does `next` come after `current` in a request's life, or could it (an unknown status is taken as news)? */
export function movesOn(current: string, next: string): boolean {
  if (current === next) return false;
  if (isFinalStatus(current)) return false;
  return (STAGE[next] ?? 5) >= (STAGE[current] ?? 5);
}

export function hasExpired(r: Pick<LockboxRequest, 'status' | 'expiresAt'>, now: Date): boolean {
  return r.status === 'Expired' || Date.parse(r.expiresAt) <= now.getTime();
}

/** Milliseconds until the request expires; never negative. */
export function timeLeft(r: Pick<LockboxRequest, 'expiresAt'>, now: Date): number {
  return Math.max(0, Date.parse(r.expiresAt) - now.getTime());
}
