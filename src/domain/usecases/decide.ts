import { sameId, type Actor, type Approval, type Decision, type Verdict } from '../decision';
import { AlreadyDecided, ConcurrentUpdate, DecideInPortal, DirectoryUnavailable, NotAnApprover, OpenSupportCaseRequired, RequestClosed, RequestNotFound, SecondApproverNeeded, StoreUnavailable } from '../errors';
import { approverPolicy, approverRoleNames, rolesAmong, scopeOf } from '../policy';
import type { AuditEntry, RoleCheck } from '../ports';
import { canonicalKey, hasExpired } from '../request';
import { isActionable, type TrackedRequest } from '../tracked';
import { caseExpectation, caseOutcome, matchesOpenCase, type CaseCheck } from '../support-case';
import { caseForDecision } from './check-support-case';
import { authorize, recordRefusal, requireTenant, type Attempt } from './authorize';
import type { CoreDeps } from './deps';
import { approvalAbandoned, holdExpired, isHeld, logWithdrawal, withdrawalEntry, withoutAttempt } from './withdraw';

export interface DecideCommand {
  requestKey: string;
  verdict: Verdict;
  comment: string;
  actor: Actor;
  /**
   * A click that must answer within a deadline: the decision is held for its attempt, and nobody sends it
   * until that click releases it (see Submission.heldBy); unreleased after `ms`, it is withdrawn. A click
   * answers within `answeredMs`: the same person's decision still held after that is one they were told
   * was not made, so their next click replaces it at once rather than being told it was made.
   */
  hold?: { attemptId: string; ms: number; answeredMs?: number };
}

const MAX_CONFLICTS = 5;
/** How long a click may wait for a fresh support-case look-up under REQUIRE_OPEN_SUPPORT_CASE. */
const CASE_BUDGET_MS = 2500;

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'messenger' | 'clock' | 'logger' | 'telemetry' | 'tenantId' | 'requireTwoApprovers' | 'supportCases' | 'requireOpenSupportCase'>;

/**
 * Records a person's decision durably, after checking live that they may make it.
 * The upstream submission happens afterwards (see submitDecision), so a click is answered fast
 * and a crash between recording and submitting loses nothing.
 */
export async function recordDecision(deps: Deps, given: DecideCommand): Promise<TrackedRequest> {
  const command = { ...given, requestKey: canonicalKey(given.requestKey) };
  // Someone from another organisation learns nothing about ours, not even whether a request exists.
  await requireTenant(deps, attemptOf(command), () => new NotAnApprover([], 'wrong-tenant'));
  const known = await deps.store.getRequest(command.requestKey);
  if (!known) {
    await refuse(deps, command, 'unknown-request', {});
    throw new RequestNotFound(command.requestKey);
  }
  // Live, and before anything about the request is revealed: a person without the role learns
  // nothing from a click, not even whether the request was decided or has expired.
  const { roles, actor } = await authorizeDecision(deps, command, known.value);
  if (known.value.request.decideInPortal) {
    await refuse(deps, command, 'decide-in-portal', {});
    throw new DecideInPortal(known.value.request.source);
  }
  let supportCase: CaseCheck | undefined | null = null;
  for (let conflicts = 0; conflicts <= MAX_CONFLICTS; conflicts++) {
    const found = conflicts === 0 ? known : await deps.store.getRequest(command.requestKey);
    if (!found) throw new RequestNotFound(command.requestKey);
    const now = deps.clock.now();
    // Its clicker was told nothing was decided: this write is too late, whatever it would have said.
    if (command.hold && found.value.withdrawnAttempts?.includes(command.hold.attemptId)) throw new StoreUnavailable('replaceRequest', 'timeout');
    const { tracked, withdrawn } = withoutAbandoned(found.value, now, command);
    if (tracked.decision && tracked.decision.submission.state !== 'failed') throw new AlreadyDecided(tracked.decision, found.value);
    if (!isActionable(tracked, now)) throw new RequestClosed(tracked.goneAt ? 'gone' : hasExpired(tracked.request, now) ? 'Expired' : tracked.request.status);

    supportCase ??= await supportCaseRule(deps, { ...command, actor }, tracked);

    const approval: Approval = { actor, comment: command.comment, at: now.toISOString(), roles, ...holdOf(command, now) };
    const dual = deps.requireTwoApprovers && command.verdict === 'approve';
    // A first approval its click has not released yet does not count; it will in a moment, or be withdrawn.
    if (dual && tracked.firstApproval?.heldBy && !sameId(tracked.firstApproval.actor.aadObjectId, actor.aadObjectId)) throw new ConcurrentUpdate(command.requestKey);
    // A first approval counts only while its author still holds the role: dual control means two current approvers.
    const first = dual && tracked.firstApproval && !(await stillApproves(deps, tracked)) ? undefined : tracked.firstApproval;
    if (dual && !first) {
      const next: TrackedRequest = { ...tracked, firstApproval: approval, cardsStale: true, updatedAt: approval.at };
      const entry: AuditEntry = { at: approval.at, kind: 'decision.first-approval', requestKey: tracked.key, actor, detail: { comment: command.comment, roles, supportCase: supportCase ?? null } };
      if (!(await deps.store.replaceRequest(next, found.etag, [...withdrawals(tracked.key, withdrawn, now), entry]))) continue;
      logWithdrawals(deps, tracked.key, withdrawn);
      return next;
    }
    if (deps.requireTwoApprovers && command.verdict === 'approve' && first && sameId(first.actor.aadObjectId, actor.aadObjectId)) {
      throw new SecondApproverNeeded(first);
    }
    const decision: Decision = {
      ...(command.verdict === 'approve' && first ? { firstApproval: first } : {}),
      verdict: command.verdict,
      actor,
      comment: command.comment,
      decidedAt: now.toISOString(),
      roles,
      submission: { state: 'pending', attempts: 0, ...holdOf(command, now) },
    };
    const next: TrackedRequest = { ...tracked, decision, cardsStale: true, updatedAt: now.toISOString() };
    const entry: AuditEntry = {
      at: decision.decidedAt,
      kind: 'decision.recorded',
      requestKey: tracked.key,
      actor,
      detail: { verdict: command.verdict, comment: command.comment, roles, request: tracked.request, replaces: tracked.decision ?? null, supportCase: supportCase ?? null, ...(command.hold ? { attemptId: command.hold.attemptId } : {}) },
    };
    // The decision and its audit entries in one write: on SQLite a crash keeps both or neither.
    if (await deps.store.replaceRequest(next, found.etag, [...withdrawals(tracked.key, withdrawn, now), entry])) {
      logWithdrawals(deps, tracked.key, withdrawn);
      deps.telemetry.event('DecisionRecorded', { source: tracked.request.source, verdict: command.verdict });
      return next;
    }
    // Someone else wrote first: loop to see what they wrote (a decision wins; a status refresh does not).
  }
  throw new ConcurrentUpdate(command.requestKey);
}

/**
 * REQUIRE_OPEN_SUPPORT_CASE, enforced here and not only by the card: an Azure request is approved only
 * with an open support case of ours that matches it; a rejection always goes through. Answers what the
 * look-up found, for the audit trail.
 */
async function supportCaseRule(deps: Deps, command: DecideCommand, tracked: TrackedRequest): Promise<CaseCheck | undefined> {
  const approving = command.verdict === 'approve';
  const check = await caseForDecision(deps, tracked, approving, CASE_BUDGET_MS);
  if (!deps.requireOpenSupportCase || !approving || caseExpectation(tracked.request) === 'not-applicable' || matchesOpenCase(check)) return check;
  await refuse(deps, command, 'no-open-support-case', { supportCase: check ?? null, outcome: caseOutcome(check) });
  throw new OpenSupportCaseRequired(check);
}

/** Asks the directory, live, whether the person may decide; also fills in their name for the audit trail. */
async function authorizeDecision(deps: Deps, command: DecideCommand, tracked: TrackedRequest): Promise<{ roles: string[]; actor: Actor }> {
  const attempt = attemptOf(command);
  const check = await authorize(deps, attempt, () => askDirectory(deps, command, tracked, attempt), (reason, found) => refusal(tracked, reason, found)).catch(async (error: unknown) => {
    throw error instanceof NotAnApprover ? await naming(deps, tracked, command.actor, error) : error;
  });
  return { roles: check.heldRoles, actor: attempt.actor };
}

/** The live role check, and the clicker's name when Teams did not give it. Not a closure: a click makes none it need not (tsx names each one it creates). */
async function askDirectory(deps: Deps, command: DecideCommand, tracked: TrackedRequest, attempt: Attempt): Promise<RoleCheck> {
  const [check, names] = await Promise.all([
    deps.directory.checkApprover(command.actor.aadObjectId, tracked.request, 'live'),
    command.actor.name ? undefined : deps.directory.lookupUser(command.actor.aadObjectId).catch(() => undefined),
  ]);
  attempt.actor = { ...attempt.actor, ...(names?.displayName ? { name: names.displayName } : {}), ...(names?.userPrincipalName ? { userPrincipalName: names.userPrincipalName } : {}) };
  return check;
}

function refusal(tracked: TrackedRequest, reason: NotAnApprover['reason'], check?: RoleCheck): NotAnApprover {
  const scope = scopeOf(tracked.request);
  if (reason === 'wrong-tenant') return new NotAnApprover([], reason, scope);
  const late = reason === 'assigned-after-request' ? rolesAmong(approverPolicy(tracked.request), check?.lateRoles ?? [], tracked.request.subscriptionId) : [];
  return new NotAnApprover(late.length ? late : approverRoleNames(scope), reason, scope);
}

/**
 * A refusal names the request's subscription only to someone it was shown to: a person who holds a card
 * of it while it is still open. Anyone else learns nothing about the request, not even where it is (#14).
 */
async function naming(deps: Deps, tracked: TrackedRequest, actor: Actor, error: NotAnApprover): Promise<NotAnApprover> {
  const { subscriptionId, subscriptionName } = tracked.request;
  if (error.reason === 'wrong-tenant' || !subscriptionId || !isActionable(tracked, deps.clock.now())) return error;
  const cards = await deps.store.listCards(tracked.key).catch(() => []);
  if (!cards.some((c) => c.activityId && sameId(c.userId, actor.aadObjectId))) return error;
  return new NotAnApprover(error.requiredRoles, error.reason, error.scope, subscriptionName ? { id: subscriptionId, name: subscriptionName } : { id: subscriptionId });
}

function attemptOf(command: DecideCommand): Attempt {
  return { actor: command.actor, refusal: 'decision.refused', requestKey: command.requestKey, detail: { verdict: command.verdict } };
}

async function stillApproves(deps: Deps, tracked: TrackedRequest): Promise<boolean> {
  const first = tracked.firstApproval!;
  const check = await deps.directory.checkApprover(first.actor.aadObjectId, tracked.request, 'live').catch((error) => {
    throw error instanceof DirectoryUnavailable ? error : new DirectoryUnavailable(String(error));
  });
  if (!check.allowed) {
    deps.logger.warn('A first approval no longer counts: its approver lost the role', { requestKey: tracked.key, userId: first.actor.aadObjectId });
    await deps.store.appendAudit({ at: deps.clock.now().toISOString(), kind: 'decision.refused', requestKey: tracked.key, actor: first.actor, detail: { reason: 'first-approver-lost-role', requiredRoles: check.requiredRoles } });
  }
  return check.allowed;
}

function refuse(deps: Deps, command: DecideCommand, reason: string, detail: Record<string, unknown>): Promise<void> {
  return recordRefusal(deps, attemptOf(command), reason, detail);
}

function holdOf(command: DecideCommand, now: Date): { heldBy?: string; heldUntil?: string } {
  return command.hold ? { heldBy: command.hold.attemptId, heldUntil: new Date(now.getTime() + command.hold.ms).toISOString() } : {};
}

type Withdrawn = { removed: { actor: Actor; verdict: Verdict }; attemptId: string };

/** What its click never released in time was never confirmed to anyone: it gives way, withdrawn. */
function withoutAbandoned(found: TrackedRequest, now: Date, command: DecideCommand): { tracked: TrackedRequest; withdrawn: Withdrawn[] } {
  const { decision, firstApproval } = found;
  const abandoned = [
    decision && (holdExpired(decision.submission, now) || (isHeld(decision.submission) && toldNotMade(command, now, decision.actor, decision.decidedAt))) ? decision.submission.heldBy : undefined,
    firstApproval?.heldBy && (approvalAbandoned(firstApproval, now) || toldNotMade(command, now, firstApproval.actor, firstApproval.at)) ? firstApproval.heldBy : undefined,
  ];
  let tracked = found;
  const withdrawn: Withdrawn[] = [];
  for (const attemptId of abandoned) {
    if (!attemptId) continue;
    const { next, removed } = withoutAttempt(tracked, attemptId, now.toISOString());
    tracked = next;
    if (removed) withdrawn.push({ removed, attemptId });
  }
  return { tracked, withdrawn };
}

/** Held past its click's answer, by the person clicking again: they were told it was not made. */
function toldNotMade(command: DecideCommand, now: Date, by: Actor, at: string): boolean {
  const answeredMs = command.hold?.answeredMs;
  return answeredMs !== undefined && sameId(by.aadObjectId, command.actor.aadObjectId) && now.getTime() - Date.parse(at) >= answeredMs;
}

function withdrawals(requestKey: string, withdrawn: Withdrawn[], now: Date): AuditEntry[] {
  return withdrawn.map(({ removed, attemptId }) => withdrawalEntry(now, requestKey, removed, attemptId, 'superseded'));
}

function logWithdrawals(deps: Deps, requestKey: string, withdrawn: Withdrawn[]): void {
  for (const _ of withdrawn) logWithdrawal(deps, requestKey, 'superseded');
}
