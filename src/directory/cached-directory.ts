import type { Clock, Directory, RoleCheck } from '../domain/ports';
import type { LockboxRequest, SourceKind } from '../domain/request';

/**
 * Remembers role answers for a short while, so a burst of clicks does not hammer Graph; a revoked
 * role stops working within `ttlMs`. Failures are never remembered: the next click asks again.
 */
export class CachedDirectory implements Directory {
  private readonly answers = new Map<string, { check: RoleCheck; until: number }>();

  constructor(private readonly inner: Directory, private readonly ttlMs: number, private readonly clock: Clock) {}

  async checkApprover(userId: string, request: LockboxRequest): Promise<RoleCheck> {
    if (this.ttlMs <= 0) return this.inner.checkApprover(userId, request);
    const key = `${userId.toLowerCase()}|${request.source}|${request.subscriptionId ?? 'tenant'}`;
    const now = this.clock.now().getTime();
    const cached = this.answers.get(key);
    if (cached && cached.until > now) return cached.check;
    const check = await this.inner.checkApprover(userId, request);
    this.answers.set(key, { check, until: now + this.ttlMs });
    if (this.answers.size > 10_000) this.evictExpired(now);
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

  private evictExpired(now: number): void {
    for (const [key, entry] of this.answers) if (entry.until <= now) this.answers.delete(key);
  }
}
