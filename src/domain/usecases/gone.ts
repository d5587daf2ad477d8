import type { TrackedRequest } from '../tracked';
import { syncCards } from './card-sync';
import type { CoreDeps } from './deps';

/** Consecutive "not found" answers after which a request is closed as gone: one can be a glitch, three are not. */
export const GONE_AFTER_CHECKS = 3;

type Deps = Pick<CoreDeps, 'store' | 'messenger' | 'logger' | 'clock' | 'telemetry'>;

/**
 * Upstream answered that it does not know a request it listed before. After GONE_AFTER_CHECKS such
 * answers in a row the request is closed as gone: audited, warned about once, every copy of its card
 * updated. Until then it stays as it was.
 */
export async function noteMissing(deps: Deps, key: string): Promise<TrackedRequest | undefined> {
  return change(deps, key, (tracked, now) => {
    if (tracked.goneAt) return undefined;
    const missing = { since: tracked.missing?.since ?? now, checks: (tracked.missing?.checks ?? 0) + 1 };
    return missing.checks >= GONE_AFTER_CHECKS ? { ...tracked, missing, goneAt: now, cardsStale: true } : { ...tracked, missing };
  }, async (next) => {
    if (!next.goneAt) {
      deps.logger.debug('A tracked lockbox request was not found upstream; checking again next cycle', { requestKey: key, checks: next.missing?.checks });
      return;
    }
    deps.logger.warn('A lockbox request is no longer known upstream; closed as gone', { requestKey: key, missingSince: next.missing?.since });
    deps.telemetry.event('RequestGone', { source: next.request.source });
    await deps.store.appendAudit({ at: next.goneAt, kind: 'request.gone', requestKey: key, detail: { missingSince: next.missing?.since, checks: next.missing?.checks } });
    await syncCards(deps, key);
  });
}

/** Upstream knows the request again: a run of "not found" answers starts over. */
export async function noteFound(deps: Deps, key: string): Promise<TrackedRequest | undefined> {
  return change(deps, key, (tracked) => {
    if (!tracked.missing || tracked.goneAt) return undefined;
    const { missing: _, ...rest } = tracked;
    return rest;
  }, async () => undefined);
}

async function change(
  deps: Deps,
  key: string,
  next: (tracked: TrackedRequest, now: string) => TrackedRequest | undefined,
  after: (changed: TrackedRequest) => Promise<void>,
): Promise<TrackedRequest | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await deps.store.getRequest(key);
    if (!stored) return undefined;
    const now = deps.clock.now().toISOString();
    const changed = next(stored.value, now);
    if (!changed) return stored.value;
    if (await deps.store.replaceRequest({ ...changed, updatedAt: now }, stored.etag)) {
      await after(changed);
      return changed;
    }
  }
  return undefined;
}
