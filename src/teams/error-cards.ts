import { actorName, sameId, type Actor, type Verdict } from '../domain/decision';
import {
  AlreadyDecided,
  AlreadySwitched,
  ConfirmationInvalid,
  DecideInPortal,
  DirectoryUnavailable,
  LockboxError,
  NotAnAdmin,
  NotAnApprover,
  OpenSupportCaseRequired,
  RequestClosed,
  RequestNotFound,
  SecondApproverNeeded,
  SourceNotConfigured,
  StoreUnavailable,
  UpstreamError,
} from '../domain/errors';
import type { Store } from '../domain/ports';
import { noticeCard, requestCard, type AdaptiveCard } from './cards/render';
import type { SourceKind } from '../domain/request';
import { supportCaseRefusal } from './cards/support-case-view';
import { localTime, plain, productName } from './cards/text';
import { orList, t } from './i18n';

/** Maps each failure the core reports to the card the clicker sees, in their language; unknown errors get a generic apology. */
export async function cardForError(error: unknown, context: { store: Store; now: Date; actor: Actor; requestKey: string; verdict?: Verdict; locale?: string }): Promise<AdaptiveCard> {
  const { locale } = context;
  const reader = { locale, userId: context.actor.aadObjectId };
  // The store's own failure needs no store to explain; and a card about any other failure is drawn without the request rather than not at all.
  if (error instanceof StoreUnavailable) return noticeCard(t(locale, 'refusal.storeSlow.title'), t(locale, 'refusal.storeSlow.text'), 'warning');
  // An already-decided click (most clicks in a storm) is drawn from what its attempt read a moment ago: one store read, not two.
  const tracked = error instanceof AlreadyDecided && error.tracked ? error.tracked : await context.store.getRequest(context.requestKey).then((found) => found?.value, () => undefined);
  const withNotice = (text: string, style: 'attention' | 'warning' | 'good' | 'accent') =>
    tracked ? requestCard(tracked, context.now, { text, style }, reader) : noticeCard(t(locale, 'refusal.title'), text, style);

  if (error instanceof AlreadyDecided) {
    const d = error.decision;
    // The same person's retry (or Teams re-sending the invoke) gets the very card the first click got.
    const mine = sameId(d.actor.aadObjectId, context.actor.aadObjectId);
    // Their other button a moment later: told plainly that it changed nothing, and why.
    if (mine && context.verdict && context.verdict !== d.verdict) {
      return withNotice(t(locale, d.verdict === 'approve' ? 'refusal.secondClickApproved' : 'refusal.secondClickRejected', { time: localTime(d.decidedAt) }), 'accent');
    }
    if (tracked && mine) return requestCard(tracked, context.now, undefined, reader);
    const params = { name: plain(actorName(d.actor)), time: localTime(d.decidedAt) };
    return withNotice(t(locale, d.verdict === 'approve' ? 'refusal.alreadyApproved' : 'refusal.alreadyRejected', params), 'accent');
  }
  if (error instanceof SecondApproverNeeded) return withNotice(t(locale, 'refusal.secondApprover'), 'accent');
  // Refusals before the role check passed reveal nothing about the request: no facts, no names, no state.
  if (error instanceof NotAnApprover) return noticeCard(t(locale, 'refusal.notApprover.title'), refusalText(error, locale), 'attention');
  if (error instanceof DirectoryUnavailable) return noticeCard(t(locale, 'refusal.directoryUnavailable.title'), t(locale, 'refusal.directoryUnavailable'), 'warning');
  if (error instanceof OpenSupportCaseRequired) return withNotice(supportCaseRefusal(error.check, locale), 'attention');
  if (error instanceof DecideInPortal) return withNotice(t(locale, error.source === 'azure' ? 'state.decideInAzurePortalShort' : 'state.decideInAdminCenterShort'), 'warning');
  if (error instanceof RequestClosed) return withNotice(t(locale, 'refusal.closed', { status: plain(error.status) }), 'warning');
  if (error instanceof RequestNotFound) return noticeCard(t(locale, 'refusal.notFound.title'), t(locale, 'refusal.notFound.text'), 'attention');
  return withNotice(t(locale, 'refusal.generic', { code: codeOf(error) }), 'attention');
}

/**
 * What a refused clicker is told: the roles they lack, named once, and the subscription by its name only
 * when the core says they were shown the request; otherwise nothing about the request itself.
 */
function refusalText(error: NotAnApprover, locale: string | undefined): string {
  if (error.reason === 'wrong-tenant') return t(locale, 'refusal.wrongTenant');
  const count = error.requiredRoles.length;
  const subscription = error.subscription && `*${plain(error.subscription.name ?? error.subscription.id)}*`;
  if (error.reason === 'assigned-after-request') {
    // These are the roles the person holds, too late: all of them, not one or another.
    const roles = error.requiredRoles.join(', ');
    return subscription ? t(locale, 'refusal.assignedTooLate.onSubscription', { roles, subscription, count }) : t(locale, 'refusal.assignedTooLate', { roles, count });
  }
  const roles = orList(locale, error.requiredRoles);
  if (error.scope !== 'azure-subscription') return t(locale, 'refusal.notApprover', { roles, count });
  return subscription ? t(locale, 'refusal.notApprover.onSubscription', { roles, subscription, count }) : t(locale, 'refusal.notApprover.onItsSubscription', { roles, count });
}

/** The same failures, worded for a chat reply to a command. */
export function textForError(error: unknown, locale?: string): string {
  if (error instanceof NotAnAdmin) {
    return error.requiredRoles.length ? t(locale, 'command.notAdmin', { roles: orList(locale, error.requiredRoles), count: error.requiredRoles.length }) : t(locale, 'command.wrongTenant');
  }
  if (error instanceof DirectoryUnavailable) return t(locale, 'command.directoryUnavailable');
  if (error instanceof StoreUnavailable) return t(locale, 'refusal.storeSlow.text');
  if (error instanceof AlreadySwitched) {
    return t(locale, error.action === 'enable' ? 'switch.alreadyOn' : 'switch.alreadyOff', { product: productName(error.source as SourceKind) });
  }
  if (error instanceof ConfirmationInvalid) return t(locale, error.reason === 'expired' ? 'command.confirmationExpired' : 'command.confirmationSomeoneElse');
  if (error instanceof SourceNotConfigured) return t(locale, 'command.sourceNotConfigured', { product: productName(error.source as SourceKind) });
  if (error instanceof UpstreamError) return t(locale, 'command.upstream', { reason: plain(error.message) });
  return t(locale, 'command.generic', { code: codeOf(error) });
}

function codeOf(error: unknown): string {
  return error instanceof LockboxError ? ` (${error.code})` : '';
}
