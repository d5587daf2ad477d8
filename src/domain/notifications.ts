import type { Milestone } from './escalation';
import type { TrackedRequest } from './tracked';

/** Activity-feed notifications (desktop and web; phones only for allow-listed third-party apps), in batches. */
export interface Notifier {
  /** Most recipients one call takes: the caller sends (and records) each batch on its own. */
  readonly batchSize: number;
  notify(userIds: string[], tracked: TrackedRequest, milestone: Milestone): Promise<void>;
}

/** The members of a group (the on-call group, or NOTIFY_GROUP_ID), through nested groups. */
export interface OnCallRoster {
  members(): Promise<string[]>;
}

/** Why someone who may not decide a request hears of it: they are on call, or in NOTIFY_GROUP_ID. */
export type InformedAs = 'on-call' | 'notify-group';

/**
 * Tells people who hold no approver role for a request what arrived and who can decide it (no buttons), in
 * their chat with the bot. Answers the message's id, or undefined when the person has no chat with the bot.
 */
export interface InfoPoster {
  postInfo(userId: string, tracked: TrackedRequest, approverCount: number, as: InformedAs): Promise<string | undefined>;
}

/**
 * A reminder as a new message in the person's chat with the bot, which Teams pushes to phones: the time
 * left and a link to the person's card (`cardActivityId`, when known). Answers the message's id, or
 * undefined when the person has no chat with the bot.
 */
export interface ReminderPoster {
  postReminder(userId: string, tracked: TrackedRequest, milestone: Milestone, cardActivityId: string | undefined): Promise<string | undefined>;
}
