import { sameId, type Actor } from '../decision';
import { DirectoryUnavailable } from '../errors';
import type { RoleCheck } from '../ports';
import type { CoreDeps } from './deps';

type Deps = Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'tenantId'>;

export type Refusal = 'wrong-tenant' | 'no-role' | 'assigned-after-request';

/** Someone asking the bot to act, or to show what only some may see. */
export interface Attempt {
  actor: Actor;
  /** The audit kind a refusal is recorded under. */
  refusal: 'decision.refused' | 'admin.refused';
  requestKey?: string;
  /** What was attempted, recorded with a refusal. */
  detail: Record<string, unknown>;
}

/** Someone of another organisation learns nothing of ours; the attempt is audited. */
export async function requireTenant(deps: Deps, attempt: Attempt, refuse: (reason: Refusal) => Error): Promise<void> {
  if (sameId(attempt.actor.tenantId, deps.tenantId)) return;
  await recordRefusal(deps, attempt, 'wrong-tenant', { tenantId: attempt.actor.tenantId });
  throw refuse('wrong-tenant');
}

/**
 * The one authorise-and-audit step shared by every use case that acts for a person or shows what only
 * some may see (decide, switch, history, pending): the tenant, then the directory as `ask` puts the
 * question. A directory that cannot answer refuses too (fail closed). Resolves with the check when
 * allowed; otherwise audits the attempt with the roles the check found and throws what `refuse` makes of it.
 */
export async function authorize<C extends RoleCheck>(deps: Deps, attempt: Attempt, ask: () => Promise<C>, refuse: (reason: Refusal, check?: RoleCheck) => Error): Promise<C> {
  await requireTenant(deps, attempt, refuse);
  let check: C;
  try {
    check = await ask();
  } catch (error) {
    const detail = error instanceof DirectoryUnavailable ? error.detail : String(error);
    await recordRefusal(deps, attempt, 'directory-unavailable', { error: detail });
    throw error instanceof DirectoryUnavailable ? error : new DirectoryUnavailable(detail);
  }
  if (!check.allowed) {
    const reason = check.lateRoles?.length ? 'assigned-after-request' : 'no-role';
    await recordRefusal(deps, attempt, reason, { requiredRoles: check.requiredRoles, heldRoles: check.heldRoles, lateRoles: check.lateRoles ?? [] });
    throw refuse(reason, check);
  }
  return check;
}

export async function recordRefusal(deps: Deps, attempt: Attempt, reason: string, detail: Record<string, unknown>): Promise<void> {
  deps.logger.warn('Refused a request to the bot', { kind: attempt.refusal, requestKey: attempt.requestKey, userId: attempt.actor.aadObjectId, reason });
  await deps.store.appendAudit({
    at: deps.clock.now().toISOString(),
    kind: attempt.refusal,
    ...(attempt.requestKey ? { requestKey: attempt.requestKey } : {}),
    actor: attempt.actor,
    detail: { reason, ...attempt.detail, ...detail },
  });
}
