import type { Delivery, DeliveryKind } from '../ports';
import type { TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

/**
 * First cards go ahead of everything else (an approver's request card, the information card of someone told
 * of it): a person must learn of a request before being reminded of it or shown how it changed.
 */
export const DELIVERY_PRIORITY = { firstCard: 0, other: 1 } as const;

const FIRST_CARDS = new Set<DeliveryKind>(['request-card', 'info-card', 'case-opener-card']);

/**
 * Puts one thing to send into one person's chat in the durable queue, once: an item with the same id already
 * queued is that item (a card update queued twice sends the latest state once). Among equals, the request
 * that expires soonest goes first.
 */
export async function queueDelivery(
  deps: Pick<CoreDeps, 'store' | 'clock'>,
  tracked: TrackedRequest,
  kind: DeliveryKind,
  userId: string,
  extra: DeliveryExtra = {},
): Promise<boolean> {
  return deps.store.enqueueDelivery(deliveryOf(deps.clock.now(), tracked, kind, userId, extra));
}

type DeliveryExtra = Partial<Pick<Delivery, 'milestone' | 'informedAs' | 'approverCount' | 'notification'>>;

/** The queue item queueDelivery stores, for callers that queue several at once (store.enqueueDeliveries). */
export function deliveryOf(now: Date, tracked: TrackedRequest, kind: DeliveryKind, userId: string, extra: DeliveryExtra = {}): Delivery {
  const at = now.toISOString();
  return {
    id: [kind, tracked.key, userId, ...(extra.milestone ? [extra.milestone] : [])].join('|'),
    kind,
    requestKey: tracked.key,
    userId,
    ...extra,
    priority: FIRST_CARDS.has(kind) ? DELIVERY_PRIORITY.firstCard : DELIVERY_PRIORITY.other,
    dueBy: isoOr(tracked.request.expiresAt, '9999-12-31T23:59:59.999Z'),
    availableAt: at,
    state: 'queued',
    attempts: 0,
    enqueuedAt: at,
  };
}

function isoOr(value: string, fallback: string): string {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : fallback;
}
