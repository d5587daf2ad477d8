import type { Decision } from './decision';

/** Every failure the core reports to a person has a code; the Teams edge maps each to a card. */
export abstract class LockboxError extends Error {
  abstract readonly code: string;
}

export class RequestNotFound extends LockboxError {
  readonly code = 'REQUEST.NOT_FOUND';
  constructor(readonly requestKey: string) {
    super(`No lockbox request ${requestKey} is known to the bot.`);
  }
}

export class AlreadyDecided extends LockboxError {
  readonly code = 'REQUEST.ALREADY_DECIDED';
  constructor(readonly decision: Decision) {
    super(`Already ${decision.verdict === 'approve' ? 'approved' : 'rejected'} by ${decision.actor.name ?? decision.actor.aadObjectId}.`);
  }
}

export class RequestClosed extends LockboxError {
  readonly code = 'REQUEST.CLOSED';
  constructor(readonly status: string) {
    super(`The request is ${status} and can no longer be decided.`);
  }
}

export class NotAnApprover extends LockboxError {
  readonly code = 'AUTH.NOT_AN_APPROVER';
  constructor(readonly requiredRoles: string[], readonly reason: 'no-role' | 'wrong-tenant') {
    super(reason === 'wrong-tenant' ? 'You are signed in to another organisation.' : `You need one of: ${requiredRoles.join(', ')}.`);
  }
}

export class DirectoryUnavailable extends LockboxError {
  readonly code = 'AUTH.DIRECTORY_UNAVAILABLE';
  constructor(readonly detail: string) {
    super(`Could not verify roles: ${detail}`);
  }
}

/** An upstream call failed; `transient` says whether trying again later can help. */
export class UpstreamError extends LockboxError {
  readonly code = 'UPSTREAM.FAILED';
  constructor(message: string, readonly transient: boolean, readonly status?: number, readonly currentStatus?: string) {
    super(message);
  }
}
