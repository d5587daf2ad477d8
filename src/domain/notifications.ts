import type { Milestone } from './escalation';
import type { TrackedRequest } from './tracked';

/** Activity-feed notifications (desktop and web; phones only for allow-listed third-party apps), in batches. */
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
