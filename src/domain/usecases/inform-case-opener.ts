import { actorName, sameId } from '../decision';
import type { CaseOpenerNotice } from '../support-case';
import { isActionable } from '../tracked';
import type { CoreDeps } from './deps';
import { queueDelivery } from './delivery-queue';

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'clock' | 'logger' | 'telemetry' | 'installer' | 'people' | 'caseOpenerCards' | 'wakeDeliveries'>;

/** Someone without a chat with the bot yet is tried again this often (an install may be on its way). */
const RETRY_MS = 10 * 60_000;
/** A post claimed longer ago than this belonged to a process that died. */
const STALE_CLAIM_MS = 10 * 60_000;
/** The card names this many deciders, then says how many more. */
const NAMED_DECIDERS = 5;

/**
 * Tells the person who opened the request's support case, when they are in the directory, that
 * Microsoft asks for access for their case and who has been asked to decide (an information card, no
 * buttons). Claimed once by compare-and-set, then queued for the delivery worker, which posts it at Teams' pace and
 * records how it went; updated with the decision by syncCards.
 */
export async function informCaseOpener(deps: Deps, requestKey: string): Promise<CaseOpenerNotice | undefined> {
  if (!deps.people || !deps.caseOpenerCards) return undefined;
  const found = await deps.store.getRequest(requestKey);
  const now = deps.clock.now();
  if (!found || !isActionable(found.value, now)) return found?.value.caseOpener;
  const tracked = found.value;
  const check = tracked.supportCase;
  const email = check?.kind === 'found' ? check.case.openedBy.email : undefined;
  if (!email || !due(tracked.caseOpener, now)) return tracked.caseOpener;

  const at = now.toISOString();
  const person = await deps.people.findByEmail(email).catch((error) => {
    deps.logger.warn('Could not look up the opener of a support case', { requestKey, error: String(error) });
    return null;
  });
  if (person === null) return tracked.caseOpener;
  if (!person) return record(deps, requestKey, { email, state: 'not-in-directory', deciders: [], deciderCount: 0, at });

  const approvers = await deps.directory.listApprovers(tracked.request);
  const base = { email, userId: person.id, deciders: await names(deps, approvers), deciderCount: approvers.length, at };
  if (approvers.some((a) => sameId(a, person.id))) return record(deps, requestKey, { ...base, state: 'is-approver' });
  const conversation = await deps.store.getConversation(person.id);
  if (!conversation) {
    await deps.installer?.install(person.id);
    return record(deps, requestKey, { ...base, state: 'no-chat' });
  }
  const claimed = await record(deps, requestKey, { ...base, state: 'posting' }, { expected: tracked.caseOpener });
  if (claimed?.state !== 'posting' || claimed.at !== at) return claimed;
  await queueDelivery(deps, tracked, 'case-opener-card', person.id);
  deps.wakeDeliveries?.();
  return claimed;
}

function due(opener: CaseOpenerNotice | undefined, now: Date): boolean {
  if (!opener) return true;
  const age = now.getTime() - Date.parse(opener.at);
  if (opener.state === 'no-chat') return age >= RETRY_MS;
  if (opener.state === 'posting') return age >= STALE_CLAIM_MS;
  return false;
}

async function names(deps: Deps, approvers: string[]): Promise<string[]> {
  const named = await Promise.all(approvers.slice(0, NAMED_DECIDERS).map(async (id) => {
    const user = await deps.directory.lookupUser(id).catch(() => undefined);
    return actorName({ aadObjectId: id, tenantId: '', name: user?.displayName, userPrincipalName: user?.userPrincipalName });
  }));
  return named;
}

/** Records how telling the opener went (the delivery worker's outcome of the post). */
export function recordCaseOpener(deps: Pick<Deps, 'store'>, requestKey: string, notice: CaseOpenerNotice): Promise<CaseOpenerNotice | undefined> {
  return record(deps, requestKey, notice);
}

/** Writes the notice; as a claim, only if nobody changed it since `expected`. Answers what is stored. */
async function record(deps: Pick<Deps, 'store'>, requestKey: string, notice: CaseOpenerNotice, claim?: { expected: CaseOpenerNotice | undefined }): Promise<CaseOpenerNotice | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await deps.store.getRequest(requestKey);
    if (!found) return undefined;
    if (claim && JSON.stringify(found.value.caseOpener) !== JSON.stringify(claim.expected)) return found.value.caseOpener;
    if (await deps.store.replaceRequest({ ...found.value, caseOpener: notice }, found.etag)) return notice;
  }
  return undefined;
}
