import type { CaseCheck } from './support-case';
import { actorName, verdictWord, type Approval, type Decision } from './decision';
import type { RequestScope } from './policy';
import type { TrackedRequest } from './tracked';

/**
 * Every failure the core reports to a person has a code; the Teams edge maps each to a card.
 * `traced: false` for an expected answer to a person (already decided, not an approver…) rather than a fault:
 * its code and fields say all there is, and a storm of clicks makes one per click, so no stack is captured.
 */
export abstract class LockboxError extends Error {
  abstract readonly code: string;

  constructor(message: string, traced = true) {
    const limit = Error.stackTraceLimit;
    if (!traced) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export class RequestNotFound extends LockboxError {
  readonly code = 'REQUEST.NOT_FOUND';
  constructor(readonly requestKey: string) {
    super(`No lockbox request ${requestKey} is known to the bot.`, false);
  }
}

export class AlreadyDecided extends LockboxError {
  readonly code = 'REQUEST.ALREADY_DECIDED';
  /** `tracked`: the request as the refused attempt read it, so the answer card needs no second read. */
  constructor(readonly decision: Decision, readonly tracked?: TrackedRequest) {
    super(`Already ${verdictWord(decision.verdict)} by ${actorName(decision.actor)}.`, false);
  }
}

/** Under dual control, the first approver clicked Approve again. */
export class SecondApproverNeeded extends LockboxError {
  readonly code = 'REQUEST.SECOND_APPROVER_NEEDED';
  constructor(readonly first: Approval) {
    super('A second, different approver must approve too.', false);
  }
}

export class RequestClosed extends LockboxError {
  readonly code = 'REQUEST.CLOSED';
  constructor(readonly status: string) {
    super(`The request is ${status} and can no longer be decided.`, false);
  }
}

/**
 * `roles` are the roles that would allow it, in words (for a role assigned too late: the late ones).
 * `subscription` is set only when the refusal may name the request's subscription: to someone it was shown to.
 */
export class NotAnApprover extends LockboxError {
  readonly code = 'AUTH.NOT_AN_APPROVER';
  constructor(
    readonly requiredRoles: string[],
    readonly reason: 'no-role' | 'wrong-tenant' | 'assigned-after-request',
    readonly scope?: RequestScope,
    readonly subscription?: { id: string; name?: string },
  ) {
    super(
      reason === 'wrong-tenant' ? 'You are signed in to another organisation.'
        : reason === 'assigned-after-request' ? 'Your role was assigned after the request was created, and Microsoft does not recognise it for this request.'
          : `You need one of: ${requiredRoles.join(', ')}.`,
      false,
    );
  }
}

export class DirectoryUnavailable extends LockboxError {
  readonly code = 'AUTH.DIRECTORY_UNAVAILABLE';
  constructor(readonly detail: string) {
    super(`Could not verify roles: ${detail}`);
  }
}

export class NotAnAdmin extends LockboxError {
  readonly code = 'AUTH.NOT_AN_ADMIN';
  constructor(readonly requiredRoles: string[]) {
    super(`You need one of: ${requiredRoles.join(', ')}.`, false);
  }
}

/** A confirmation that is unknown, used, expired, or someone else's. */
export class ConfirmationInvalid extends LockboxError {
  readonly code = 'ADMIN.CONFIRMATION_INVALID';
  constructor(readonly reason: 'expired' | 'someone-else') {
    super(reason === 'expired' ? 'This confirmation has expired or was already used.' : 'Only the person who asked can confirm this.', false);
  }
}

/** Turning Customer Lockbox on when it is on already, or off when it is off: nothing to ask or do. */
export class AlreadySwitched extends LockboxError {
  readonly code = 'ADMIN.ALREADY_SWITCHED';
  constructor(readonly action: 'enable' | 'disable', readonly source: string) {
    super(`Customer Lockbox is already ${action === 'enable' ? 'on' : 'off'} for ${source}.`, false);
  }
}

/** The request changed under us more often than it is reasonable to retry. */
export class ConcurrentUpdate extends LockboxError {
  readonly code = 'STORE.CONCURRENT_UPDATE';
  constructor(readonly requestKey: string) {
    super(`Request ${requestKey} kept changing while it was being written`);
  }
}

/** A request came from a source this instance has not been configured to reach. */
export class SourceNotConfigured extends LockboxError {
  readonly code = 'CONFIG.SOURCE_NOT_CONFIGURED';
  constructor(readonly source: string) {
    super(`No lockbox source "${source}" is configured (LOCKBOX_SOURCES)`);
  }
}

/**
 * Posting or updating a Teams message failed. `delivered` is 'no' when Teams answered that it did
 * not take the message, 'unknown' when the call timed out or the connection dropped.
 */
export class DeliveryFailed extends LockboxError {
  readonly code = 'TEAMS.DELIVERY_FAILED';
  constructor(message: string, readonly delivered: 'no' | 'unknown', readonly status?: number) {
    super(message);
  }
}

/** An upstream call failed; `transient` says whether trying again later can help. */
export class UpstreamError extends LockboxError {
  readonly code = 'UPSTREAM.FAILED';
  constructor(message: string, readonly transient: boolean, readonly status?: number, readonly currentStatus?: string) {
    super(message);
  }
}

/** Microsoft answered that it no longer has the request (HTTP 404 on a request the bot knows). */
export class RequestGone extends UpstreamError {
  constructor(readonly requestId: string) {
    super('Microsoft no longer has this request', false, 404);
  }
}

/** Microsoft answered 409: another change to the request was under way there. */
export class UpstreamConflict extends UpstreamError {
  constructor(message: string) {
    super(message, true, 409);
  }
}

/** Microsoft refused the bot's token, even a fresh one asked for after a claims challenge. */
export class UpstreamSignIn extends UpstreamError {
  constructor(message: string, readonly claimsChallenge: boolean) {
    super(message, false, 401);
  }
}

/**
 * Microsoft refused the decision because the bot's own identity may not make it (Exchange's app-only
 * rights for Set-AccessToCustomerDataRequest are not proven anywhere public): people decide in the portal.
 */
export class UpstreamNotPermitted extends UpstreamError {
  constructor(message: string, status?: number) {
    super(message, false, status);
  }
}

/** The request is decided in Microsoft's portal, not in Teams (M365_DECISIONS=admin-center). */
export class DecideInPortal extends LockboxError {
  readonly code = 'REQUEST.DECIDE_IN_PORTAL';
  constructor(readonly source: 'azure' | 'm365' = 'm365') {
    super(source === 'azure' ? 'This request is decided in the Azure portal.' : 'This request is decided in the Microsoft 365 admin center.', false);
  }
}

/** REQUIRE_OPEN_SUPPORT_CASE: approving needs an open support case of ours that matches the request; rejecting does not. */
export class OpenSupportCaseRequired extends LockboxError {
  readonly code = 'POLICY.OPEN_SUPPORT_CASE_REQUIRED';
  constructor(readonly check: CaseCheck | undefined) {
    super('Approving needs an open support case of ours that matches the request (REQUIRE_OPEN_SUPPORT_CASE).', false);
  }
}

/** The state store did not answer within its deadline (or failed): nothing that needed it was done. */
export class StoreUnavailable extends LockboxError {
  readonly code = 'STORE.UNAVAILABLE';
  constructor(readonly operation: string, readonly reason: 'timeout' | 'error', detail?: string) {
    super(reason === 'timeout' ? `The state store did not answer ${operation} in time` : `The state store failed ${operation}: ${detail ?? 'unknown error'}`);
  }
}
