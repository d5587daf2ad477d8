import type { Actor, Decision, Verdict } from '../decision';
import { AlreadyDecided, DirectoryUnavailable, NotAnApprover, RequestClosed, RequestNotFound } from '../errors';
import { hasExpired } from '../request';
import type { TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

export interface DecideCommand {
  requestKey: string;
  verdict: Verdict;
  comment: string;
  actor: Actor;
}

const MAX_CONFLICTS = 5;

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'clock' | 'logger' | 'telemetry' | 'tenantId'>;

/**
 * Records a person's decision durably, after checking live that they may make it.
 * The upstream submission happens afterwards (see submitDecision), so a click is answered fast
 * and a crash between recording and submitting loses nothing.
 */
export async function recordDecision(deps: Deps, command: DecideCommand, conflicts = 0): Promise<TrackedRequest> {
  const found = await deps.store.getRequest(command.requestKey);
  if (!found) throw new RequestNotFound(command.requestKey);
  const tracked = found.value;
  if (tracked.decision) throw new AlreadyDecided(tracked.decision);

  const now = deps.clock.now();
  if (tracked.request.status !== 'Pending' || hasExpired(tracked.request, now)) {
    throw new RequestClosed(hasExpired(tracked.request, now) ? 'Expired' : tracked.request.status);
  }

  const roles = await authorize(deps, command, tracked);

  const decision: Decision = {
    verdict: command.verdict,
    actor: command.actor,
    comment: command.comment,
    decidedAt: now.toISOString(),
    roles,
    submission: { state: 'pending', attempts: 0 },
  };
  const next: TrackedRequest = { ...tracked, decision, updatedAt: now.toISOString() };
  if (!(await deps.store.replaceRequest(next, found.etag))) {
    // Someone else wrote first; whatever they recorded wins.
    const winner = await deps.store.getRequest(command.requestKey);
    if (winner?.value.decision) throw new AlreadyDecided(winner.value.decision);
    if (conflicts >= MAX_CONFLICTS) throw new Error(`Request ${command.requestKey} kept changing while recording a decision`);
    return recordDecision(deps, command, conflicts + 1);
  }
  await deps.store.appendAudit({
    at: decision.decidedAt,
    kind: 'decision.recorded',
    requestKey: tracked.key,
    actor: command.actor,
    detail: { verdict: command.verdict, comment: command.comment, roles, request: tracked.request },
  });
  deps.telemetry.event('DecisionRecorded', { source: tracked.request.source, verdict: command.verdict });
  return next;
}

async function authorize(deps: Deps, command: DecideCommand, tracked: TrackedRequest): Promise<string[]> {
  const refuse = async (reason: string, detail: Record<string, unknown>) => {
    deps.logger.warn('Refused a lockbox decision', { requestKey: tracked.key, userId: command.actor.aadObjectId, reason });
    await deps.store.appendAudit({
      at: deps.clock.now().toISOString(),
      kind: 'decision.refused',
      requestKey: tracked.key,
      actor: command.actor,
      detail: { reason, verdict: command.verdict, ...detail },
    });
  };

  if (command.actor.tenantId !== deps.tenantId) {
    await refuse('wrong-tenant', { tenantId: command.actor.tenantId });
    throw new NotAnApprover([], 'wrong-tenant');
  }
  let check;
  try {
    check = await deps.directory.checkApprover(command.actor.aadObjectId, tracked.request);
  } catch (error) {
    const detail = error instanceof DirectoryUnavailable ? error.detail : String(error);
    await refuse('directory-unavailable', { error: detail });
    throw error instanceof DirectoryUnavailable ? error : new DirectoryUnavailable(detail);
  }
  if (!check.allowed) {
    await refuse('no-role', { requiredRoles: check.requiredRoles });
    throw new NotAnApprover(check.requiredRoles, 'no-role');
  }
  return check.heldRoles;
}
