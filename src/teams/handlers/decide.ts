import type { TurnContext } from 'botbuilder';
// zod's v4 parser: about twenty times less CPU a parse than v3's, and this one runs on every click.
import { z } from 'zod/v4';
import { COMMENT_MAX_LENGTH, type Verdict } from '../../domain/decision';
import { LockboxError } from '../../domain/errors';
import { canonicalKey } from '../../domain/request';
import { recordDecision } from '../../domain/usecases/decide';
import { syncCardsSoon } from '../../domain/usecases/card-sync';
import { submitDecision } from '../../domain/usecases/submit';
import { releaseApproval, withdrawAttempt } from '../../domain/usecases/withdraw';
import { noticeCard, requestCard, type AdaptiveCard } from '../cards/render';
import type { TeamsDeps } from '../deps';
import { cardForError } from '../error-cards';
import { t } from '../i18n';
import { actorOf } from '../identity';

export const VERBS = { approve: 'lockbox.approve', reject: 'lockbox.reject' } as const;

/** Teams gives up on an invoke after 10-15 s; whatever happens, the clicker has an answer well before. */
const ANSWER_DEADLINE_MS = 4000;
/** The store must have confirmed the decision by then, leaving time to answer. */
const RECORD_DEADLINE_MS = 3000;
/**
 * How long the click has to release what it recorded (normally a moment after the store confirms it): as
 * long as Teams waits for an invoke. A decision still unreleased after that was never confirmed to its
 * clicker, or its click died; either way it is withdrawn, never sent, and people may decide again.
 */
const HOLD_MS = 15_000;
/** Background retries, after the clicker has their answer, of a release or a withdrawal the store did not take. */
const RETRY_DELAYS_MS = [1000, 3000, 6000, 15_000, 30_000];

/** What an Approve/Reject card sends back: the request's key (in canonical form) and the approver's comment. */
export const actionData = z.object({
  requestKey: z.string().min(1).max(300).transform(canonicalKey),
  comment: z.string().optional(),
});

/** Approve or Reject from a request card: who clicked comes from Teams, what they decide is recorded before anything else. */
export function decideHandler(deps: TeamsDeps, verdict: Verdict) {
  return async (context: TurnContext, _state: unknown, data: unknown): Promise<AdaptiveCard> => {
    const started = deps.clock.now().getTime();
    const parsed = actionData.safeParse(data);
    const locale = context.activity.locale;
    if (!parsed.success) {
      deps.logger.warn('Rejected a card action with malformed data', { verdict, issues: parsed.error.issues.map((i) => i.path.join('.')) });
      return noticeCard(t(locale, 'refusal.damaged.title'), t(locale, 'refusal.damaged.decide'));
    }
    const comment = (parsed.data.comment ?? '').trim();
    // The card's box stops at the limit; only an old or tampered card sends more, and nothing is cut silently.
    if (comment.length > COMMENT_MAX_LENGTH) {
      deps.logger.warn('Rejected a card action with an over-long comment', { verdict, length: comment.length });
      return noticeCard(t(locale, 'refusal.commentTooLong.title'), t(locale, 'refusal.commentTooLong.text', { max: COMMENT_MAX_LENGTH, length: comment.length }));
    }
    const actor = actorOf(context.activity);
    if (!actor) {
      deps.logger.warn('Rejected a card action without a Teams identity', { verdict });
      return noticeCard(t(locale, 'refusal.unknownClicker.title'), t(locale, 'refusal.unknownClicker.text'));
    }

    const { requestKey } = parsed.data;
    try {
      // The store must confirm the decision in time for the clicker to be told it is recorded; if it does
      // not, they are told nothing was decided, and their attempt is withdrawn: a write that lands later
      // fails against the withdrawal or is removed by it, and is never sent, since only this click releases it.
      const attemptId = deps.newId();
      const recording = recordDecision(deps, { requestKey, verdict, comment, actor, hold: { attemptId, ms: HOLD_MS, answeredMs: ANSWER_DEADLINE_MS + 1000 } });
      const recorded = await Promise.race([recording, delay(Math.max(0, RECORD_DEADLINE_MS - (deps.clock.now().getTime() - started)))]);
      if (!recorded) {
        recording.catch(() => undefined);
        void retrying(deps, 'withdraw a decision its clicker was told was not made', requestKey, () => withdrawAttempt(deps, requestKey, attemptId, 'store-too-slow'));
        deps.logger.warn('The store did not confirm a decision in time; the clicker was told nothing was decided', { requestKey, verdict });
        return noticeCard(t(locale, 'refusal.storeSlow.title'), t(locale, 'refusal.storeSlow.text'), 'warning');
      }
      // The clicker's own answer never waits for the other approvers' copies to be updated.
      // A first approval (dual control) is released to count; a decision is released to be sent.
      const release = () => recorded.firstApproval?.heldBy === attemptId && recorded.decision?.submission.heldBy !== attemptId
        ? releaseApproval(deps, requestKey, attemptId)
        : submitDecision(deps, requestKey, { awaitCards: false, releasedBy: attemptId });
      const submitted = release().catch((error) => {
        // Until this click releases it nobody sends it: keep trying for a while, then the hold runs out and it is withdrawn.
        void retrying(deps, 'send a recorded decision', requestKey, async () => (await release(), true), error);
        return undefined;
      });
      const wait = Math.min(deps.answerBudgetMs, Math.max(0, ANSWER_DEADLINE_MS - (deps.clock.now().getTime() - started)));
      const settled = await Promise.race([submitted, delay(wait)]);
      // A finished submission updates every copy itself; otherwise the others' buttons go once the clicks
      // being answered have their answers, while Microsoft is still being told (or a second approval is
      // awaited). Under Teams' per-chat limits one update per copy instead of two matters when many requests
      // are decided at once.
      const finished = settled?.decision && settled.decision.submission.state !== 'pending';
      if (!finished) void syncCardsSoon(deps, requestKey);
      return requestCard(settled ?? recorded, deps.clock.now(), undefined, { locale, userId: actor.aadObjectId });
    } catch (error) {
      if (!(error instanceof LockboxError)) deps.logger.error('A card action failed unexpectedly', { requestKey, verdict, error: String(error) });
      return cardForError(error, { store: deps.store, now: deps.clock.now(), actor, requestKey, verdict, locale });
    }
  };
}

/** Work the clicker no longer waits for, tried again at RETRY_DELAYS_MS until it says it is done. */
async function retrying(deps: TeamsDeps, what: string, requestKey: string, work: () => Promise<boolean>, failed?: unknown): Promise<void> {
  for (let attempt = failed === undefined ? -1 : 0; attempt < RETRY_DELAYS_MS.length; attempt++) {
    if (attempt >= 0) await delay(RETRY_DELAYS_MS[attempt]!);
    try {
      if (await work()) return;
    } catch (error) {
      failed = error;
    }
  }
  deps.logger.error(`Could not ${what}; its hold runs out and the leader withdraws it`, { requestKey, error: String(failed) });
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
