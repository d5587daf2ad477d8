import type { Milestone } from '../domain/escalation';
import type { ReminderPoster } from '../domain/notifications';
import type { Clock, Conversation, Store } from '../domain/ports';
import { timeLeft } from '../domain/request';
import type { TrackedRequest } from '../domain/tracked';
import { describeResource } from './cards/resource';
import { duration, plain, productName } from './cards/text';
import { t } from './i18n';
import type { TeamsMessenger } from './messenger';

/**
 * Reminders as a short new message in the person's chat with the bot: Teams pushes a new chat message
 * to phones, while updating a card rings nothing and an uploaded app's activity feed is not shown there.
 */
export class TeamsReminderPoster implements ReminderPoster {
  constructor(private readonly store: Store, private readonly messenger: TeamsMessenger, private readonly clock: Clock) {}

  async postReminder(userId: string, tracked: TrackedRequest, _milestone: Milestone, cardActivityId: string | undefined): Promise<string | undefined> {
    const conversation = await this.store.getConversation(userId);
    if (!conversation) return undefined;
    return this.messenger.postText(conversation, reminderText(tracked, this.clock.now(), conversation, cardActivityId));
  }
}

export function reminderText(tracked: TrackedRequest, now: Date, conversation: Conversation, cardActivityId: string | undefined): string {
  const r = tracked.request;
  const locale = conversation.locale;
  const what = `${productName(r.source)} · ${plain(r.resourceIds[0] ? describeResource(r.resourceIds[0], locale) : r.requestId)}`;
  const where = cardActivityId ? t(locale, 'reminder.cardLink', { link: cardLink(conversation.conversationId, cardActivityId) }) : t(locale, 'reminder.cardAbove');
  return t(locale, 'reminder.text', { left: duration(timeLeft(r, now), locale), what, where });
}

/**
 * A link to a message in a chat. Unverified for a bot's personal chat (Teams documents the form for chat
 * ids; the bot knows the Bot Framework conversation id), so the text around it says where the card is.
 */
export function cardLink(conversationId: string, activityId: string): string {
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(conversationId)}/${encodeURIComponent(activityId)}?context=${encodeURIComponent('{"contextType":"chat"}')}`;
}
