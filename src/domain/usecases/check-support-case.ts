import { UpstreamError } from '../errors';
import { caseExpectation, caseOutcome, type CaseCheck } from '../support-case';
import type { LockboxRequest } from '../request';
import { isActionable, type TrackedRequest } from '../tracked';
import { syncCards } from './card-sync';
import type { CoreDeps } from './deps';

type Deps = Pick<CoreDeps, 'store' | 'messenger' | 'clock' | 'logger' | 'telemetry' | 'supportCases' | 'requireOpenSupportCase'>;

/** A case found (or not) is looked at again this often while the request waits, so a closed case shows. */
const RECHECK_MS = 10 * 60_000;
/** A failed look-up is tried again sooner. */
const RETRY_FAILED_MS = 60_000;

/** Whether the request's support case should be looked up (again) now. */
export function needsCaseCheck(deps: Pick<Deps, 'supportCases' | 'requireOpenSupportCase'>, tracked: TrackedRequest, now: Date): boolean {
  if (!deps.supportCases || !isActionable(tracked, now)) return false;
  const expectation = caseExpectation(tracked.request);
  if (expectation === 'not-applicable') return false;
  const last = tracked.supportCase;
  if (!last || Boolean(last.required) !== Boolean(deps.requireOpenSupportCase)) return true;
  if (expectation !== 'lookup') return false;
  const age = now.getTime() - Date.parse(last.checkedAt);
  return age >= (last.kind === 'failed' ? RETRY_FAILED_MS : RECHECK_MS);
}

/** Asks the Support API about the request's case. Never throws: a failed look-up is an answer too. */
export async function lookUpCase(deps: Pick<Deps, 'supportCases' | 'clock' | 'requireOpenSupportCase'>, request: LockboxRequest): Promise<CaseCheck> {
  const base = { checkedAt: deps.clock.now().toISOString(), required: Boolean(deps.requireOpenSupportCase) };
  const expectation = caseExpectation(request);
  if (expectation === 'internal') return { ...base, kind: 'internal', workItemSource: request.workItemSource ?? '' };
  const caseNumber = request.supportRequest?.trim() ?? '';
  if (expectation !== 'lookup' || !caseNumber) return { ...base, kind: 'no-case' };
  if (!deps.supportCases) return { ...base, kind: 'failed', caseNumber, reason: 'support case look-ups are not configured', cause: 'other' };
  try {
    const found = await deps.supportCases.find(request);
    return found ? { ...base, kind: 'found', case: found } : { ...base, kind: 'not-found', caseNumber };
  } catch (error) {
    return { ...base, kind: 'failed', caseNumber, reason: error instanceof Error ? error.message : String(error), cause: causeOf(error) };
  }
}

/**
 * Looks up the case a request names and keeps what it found with the request. Cards are posted
 * before (or within a short budget, see checkNewCases), so a slow look-up delays no card; when the
 * answer changes what the card says, every copy is updated. Answers the stored check.
 */
export async function checkSupportCase(deps: Deps, requestKey: string): Promise<CaseCheck | undefined> {
  const before = await deps.store.getRequest(requestKey);
  if (!before || !needsCaseCheck(deps, before.value, deps.clock.now())) return before?.value.supportCase;
  const check = await lookUpCase(deps, before.value.request);
  return (await storeCheck(deps, requestKey, check))?.supportCase ?? check;
}

/**
 * The check a decision goes by: the stored one (what the approver saw), or, when REQUIRE_OPEN_SUPPORT_CASE
 * decides an approval, a fresh look-up (cached for minutes) if it answers within `budgetMs`, as a person waits.
 */
export async function caseForDecision(deps: Deps, tracked: TrackedRequest, approving: boolean, budgetMs: number): Promise<CaseCheck | undefined> {
  const stored = tracked.supportCase;
  if (!deps.requireOpenSupportCase || !approving || caseExpectation(tracked.request) !== 'lookup') return stored;
  const fresh = await Promise.race([lookUpCase(deps, tracked.request), delay(budgetMs)]);
  if (!fresh) return stored;
  return (await storeCheck(deps, tracked.key, fresh))?.supportCase ?? fresh;
}

/** At most this many first look-ups run at once before the cards of a cycle go out. */
const FIRST_CHECKS_AT_ONCE = 16;

/**
 * The first look-up of new requests' cases, all at once, for at most `budgetMs`: what answers in time
 * is on the card when it is first posted (one message instead of a post and an update); the rest is
 * looked up after the cards are out. Answers the requests whose stored state changed.
 */
export async function checkNewCases(deps: Deps, tracked: TrackedRequest[], budgetMs: number): Promise<Map<string, TrackedRequest>> {
  const now = deps.clock.now();
  const fresh = tracked.filter((t) => !t.supportCase && needsCaseCheck(deps, t, now)).slice(0, FIRST_CHECKS_AT_ONCE);
  const stored = await Promise.all(fresh.map(async (t) => {
    const check = await Promise.race([lookUpCase(deps, t.request), delay(budgetMs)]);
    return check ? storeCheck(deps, t.key, check) : undefined;
  }));
  return new Map(stored.filter((t): t is TrackedRequest => Boolean(t)).map((t) => [t.key, t]));
}

export async function storeCheck(deps: Deps, requestKey: string, check: CaseCheck): Promise<TrackedRequest | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await deps.store.getRequest(requestKey);
    if (!found) return undefined;
    const changed = shown(found.value.supportCase) !== shown(check);
    const next: TrackedRequest = { ...found.value, supportCase: check, cardsStale: found.value.cardsStale || changed };
    if (!(await deps.store.replaceRequest(next, found.etag))) continue;
    if (check.kind === 'failed') deps.logger.warn('Could not check the support case of a lockbox request', { requestKey, caseNumber: check.caseNumber, error: check.reason });
    else if (changed) deps.logger.info('Checked the support case of a lockbox request', { requestKey, outcome: caseOutcome(check) });
    if (changed) {
      deps.telemetry.event('SupportCaseChecked', { outcome: caseOutcome(check) });
      await syncCards(deps, requestKey);
    }
    return next;
  }
  deps.logger.error('Could not store what the support case look-up found', { requestKey });
  return undefined;
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

/** What a card shows of a check, so a look-up that learnt nothing new costs no card update. */
function shown(check: CaseCheck | undefined): string {
  if (!check) return '';
  const { checkedAt: _at, ...rest } = check;
  return JSON.stringify(rest);
}

function causeOf(error: unknown): 'permission' | 'outage' | 'other' {
  if (!(error instanceof UpstreamError)) return 'other';
  if (error.status === 401 || error.status === 403) return 'permission';
  return error.transient ? 'outage' : 'other';
}
