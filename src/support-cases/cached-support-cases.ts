import type { Clock } from '../domain/ports';
import type { LockboxRequest } from '../domain/request';
import type { SupportCase, SupportCases } from '../domain/support-case';

/**
 * Keeps each case's answer for a short time, so the cards of one case, a click and the next poll share
 * one lookup; lookups of the same case already under way are shared too. Failures are not kept.
 */
export class CachedSupportCases implements SupportCases {
  private readonly answers = new Map<string, { at: number; value: Promise<SupportCase | undefined> }>();

  constructor(private readonly inner: SupportCases, private readonly ttlMs: number, private readonly clock: Clock) {}

  find(request: LockboxRequest): Promise<SupportCase | undefined> {
    const key = `${request.subscriptionId ?? 'tenant'}:${request.supportRequest?.trim() ?? ''}`.toLowerCase();
    const now = this.clock.now().getTime();
    const kept = this.answers.get(key);
    if (kept && now - kept.at < this.ttlMs) return kept.value;
    for (const [k, v] of this.answers) if (now - v.at >= this.ttlMs) this.answers.delete(k);
    const value = this.inner.find(request);
    this.answers.set(key, { at: now, value });
    value.catch(() => {
      if (this.answers.get(key)?.value === value) this.answers.delete(key);
    });
    return value;
  }
}
