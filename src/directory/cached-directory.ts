import type { Clock, Directory, Freshness, RoleCheck } from '../domain/ports';
import type { LockboxRequest, SourceKind } from '../domain/request';

/**
 * Remembers role answers for a short while, for views only (who gets a card, /lockbox pending), so
 * listing does not hammer Graph. A check that lets a decision be recorded always asks afresh, and its
 * answer refreshes the cache. Failures are never remembered.
 */
export class CachedDirectory implements Directory {
  private readonly answers = new Map<string, { check: RoleCheck; until: number }>();

  constructor(private readonly inner: Directory, private readonly ttlMs: number, private readonly clock: Clock, private readonly maxEntries = 10_000) {}

  async checkApprover(userId: string, request: LockboxRequest, freshness: Freshness): Promise<RoleCheck> {
    if (this.ttlMs <= 0) return this.inner.checkApprover(userId, request, 'live');
    // Whether a role predates the request depends on the request, so the key is the request itself.
    const key = `${userId.toLowerCase()}|${request.source}|${request.subscriptionId ?? 'tenant'}|${request.requestId.toLowerCase()}`;
    const now = this.clock.now().getTime();
    const cached = this.answers.get(key);
    if (freshness === 'cached' && cached && cached.until > now) return cached.check;
    const check = await this.inner.checkApprover(userId, request, 'live');
    // Re-inserted, so the map's order stays oldest answer first.
    this.answers.delete(key);
    this.answers.set(key, { check, until: now + this.ttlMs });
    if (this.answers.size > this.maxEntries) this.evict(now);
    return check;
  }

  /** Turning Customer Lockbox off is rare and grave: always asked afresh. */
  checkAdmin(userId: string, source: SourceKind): Promise<RoleCheck> {
    return this.inner.checkAdmin(userId, source);
  }

  listApprovers(request: LockboxRequest): Promise<string[]> {
    return this.inner.listApprovers(request);
  }

  lookupUser(userId: string) {
    return this.inner.lookupUser(userId);
  }

  /** Expired answers first; if all are still fresh (a burst of people and requests), the oldest, down to three quarters of the bound. */
  private evict(now: number): void {
    for (const [key, entry] of this.answers) if (entry.until <= now) this.answers.delete(key);
    const target = Math.floor(this.maxEntries * 0.75);
    for (const key of this.answers.keys()) {
      if (this.answers.size <= target) break;
      this.answers.delete(key);
    }
  }
}
