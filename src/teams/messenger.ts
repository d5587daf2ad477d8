import { CardFactory, MessageFactory, teamsNotifyUser, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Clock, Conversation, Messenger } from '../domain/ports';
import type { TrackedRequest } from '../domain/tracked';
import { requestCard } from './cards/render';

/** Posts and updates cards in personal chats, proactively, from saved conversation references. */
export class TeamsMessenger implements Messenger {
  constructor(private readonly adapter: CloudAdapter, private readonly botAppId: string, private readonly clock: Clock) {}

  async postRequestCard(conversation: Conversation, tracked: TrackedRequest): Promise<string> {
    let id: string | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, conversation.reference as Partial<ConversationReference>, async (context) => {
      const activity = this.cardActivity(tracked);
      teamsNotifyUser(activity);
      const sent = await context.sendActivity(activity);
      id = sent?.id;
    });
    if (!id) throw new Error('Teams accepted the card but returned no activity id');
    return id;
  }

  async updateRequestCard(conversation: Conversation, activityId: string, tracked: TrackedRequest): Promise<void> {
    await this.adapter.continueConversationAsync(this.botAppId, conversation.reference as Partial<ConversationReference>, async (context) => {
      await context.updateActivity({ ...this.cardActivity(tracked), id: activityId });
    });
  }

  private cardActivity(tracked: TrackedRequest) {
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(requestCard(tracked, this.clock.now())));
    activity.summary = `Customer Lockbox request ${tracked.request.requestId} needs a decision`;
    return activity;
  }
}
