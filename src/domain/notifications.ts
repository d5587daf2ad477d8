import type { Milestone } from './escalation';
import type { TrackedRequest } from './tracked';

/** Pushes a Teams activity-feed notification (which Teams also pushes to phones) to people, in batches. */
export interface Notifier {
  notify(userIds: string[], tracked: TrackedRequest, milestone: Milestone): Promise<void>;
}

/** The members of the on-call group, through nested groups. */
export interface OnCallRoster {
  members(): Promise<string[]>;
}

/** Tells on-call staff who hold no approver role what arrived and who can decide it (no buttons). */
export interface InfoPoster {
  postInfo(userId: string, tracked: TrackedRequest, approverCount: number): Promise<void>;
}
