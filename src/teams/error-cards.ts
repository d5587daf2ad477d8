import { actorName, verdictWord, type Actor } from '../domain/decision';
import {
  AlreadyDecided,
  ConfirmationInvalid,
  DirectoryUnavailable,
  LockboxError,
  NotAnAdmin,
  NotAnApprover,
  RequestClosed,
  RequestNotFound,
  SecondApproverNeeded,
  SourceNotConfigured,
  UpstreamError,
} from '../domain/errors';
import type { Store } from '../domain/ports';
import { noticeCard, requestCard, type AdaptiveCard } from './cards/render';
import type { SourceKind } from '../domain/request';
import { localTime, plain, productName } from './cards/text';

/** Maps each failure the core reports to the card the clicker sees; unknown errors get a generic apology. */
export async function cardForError(error: unknown, context: { store: Store; now: Date; actor: Actor; requestKey: string }): Promise<AdaptiveCard> {
  const tracked = (await context.store.getRequest(context.requestKey))?.value;
  const withNotice = (text: string, style: 'attention' | 'warning' | 'good' | 'accent') =>
    tracked ? requestCard(tracked, context.now, { text, style }) : noticeCard('Customer Lockbox', text, style);

  if (error instanceof AlreadyDecided) {
    const d = error.decision;
    // The same person's retry (or Teams re-sending the invoke) gets the very card the first click got.
    if (tracked && d.actor.aadObjectId === context.actor.aadObjectId) return requestCard(tracked, context.now);
    return withNotice(`Already ${verdictWord(d.verdict)} by ${plain(actorName(d.actor))} at ${localTime(d.decidedAt)}. Nothing more to do.`, 'accent');
  }
  if (error instanceof SecondApproverNeeded) {
    return withNotice('You have already approved. A second, different approver must approve too.', 'accent');
  }
  if (error instanceof NotAnApprover) {
    return withNotice(
      error.reason === 'wrong-tenant'
        ? 'You are signed in to another organisation, so you cannot decide this request.'
        : `You can't decide this request: it needs an active ${error.requiredRoles.join(' or ')} role. Nothing was decided.`,
      'attention',
    );
  }
  if (error instanceof DirectoryUnavailable) {
    return withNotice("Can't verify your role right now, so nothing was decided. Please try again in a minute.", 'warning');
  }
  if (error instanceof RequestClosed) {
    return withNotice(`This request is ${plain(error.status)} and can no longer be decided.`, 'warning');
  }
  if (error instanceof RequestNotFound) {
    return noticeCard('Request not found', 'This card refers to a lockbox request the bot does not know. Nothing was decided.', 'attention');
  }
  const code = error instanceof LockboxError ? ` (${error.code})` : '';
  return withNotice(`Something went wrong on our side${code}, and nothing was decided. Please try again.`, 'attention');
}

/** The same failures, worded for a chat reply to a command. */
export function textForError(error: unknown): string {
  if (error instanceof NotAnAdmin) {
    return error.requiredRoles.length
      ? `You can't do that: it needs an active ${error.requiredRoles.join(' or ')} role. Nothing was changed.`
      : 'You are signed in to another organisation, so you cannot do that.';
  }
  if (error instanceof DirectoryUnavailable) return "Can't verify your role right now, so nothing was changed. Please try again in a minute.";
  if (error instanceof ConfirmationInvalid) {
    return error.reason === 'expired' ? 'That confirmation has expired or was already used. Nothing was changed; run the command again.' : 'Only the person who asked can confirm or cancel this.';
  }
  if (error instanceof SourceNotConfigured) return `This bot does not watch ${productName(error.source as SourceKind)} Customer Lockbox (LOCKBOX_SOURCES).`;
  if (error instanceof UpstreamError) return `Microsoft did not accept it, so nothing was changed: ${plain(error.message)}`;
  const code = error instanceof LockboxError ? ` (${error.code})` : '';
  return `Something went wrong on our side${code}, and nothing was changed. Please try again.`;
}
