import { CardFactory, MessageFactory, teamsNotifyUser, type CloudAdapter, type ConversationReference } from 'botbuilder';
import { DeliveryFailed } from '../domain/errors';
import type { Clock, Conversation, Messenger } from '../domain/ports';
import type { TrackedRequest } from '../domain/tracked';
import { requestCard } from './cards/render';

/** Posts and updates cards in personal chats, proactively, from saved conversation references. */
export class TeamsMessenger implements Messenger {
  constructor(private readonly adapter: CloudAdapter, private readonly botAppId: string, private readonly clock: Clock) {}

  async postRequestCard(conversation: Conversation, tracked: TrackedRequest): Promise<string> {
    let id: string | undefined;
    await this.inConversation(conversation, 'post', async (context) => {
      const activity = this.cardActivity(tracked);
      teamsNotifyUser(activity);
      id = (await context.sendActivity(activity))?.id;
    });
    if (!id) throw new DeliveryFailed('Teams accepted the card but returned no activity id', 'unknown');
    return id;
  }

  async updateRequestCard(conversation: Conversation, activityId: string, tracked: TrackedRequest): Promise<void> {
    await this.inConversation(conversation, 'update', (context) => context.updateActivity({ ...this.cardActivity(tracked), id: activityId }).then(() => undefined));
  }

  private async inConversation(conversation: Conversation, what: string, logic: Parameters<CloudAdapter['continueConversationAsync']>[2]): Promise<void> {
    try {
      await this.adapter.continueConversationAsync(this.botAppId, conversation.reference as Partial<ConversationReference>, logic);
    } catch (error) {
      // The connector answered with a status: it did not take the message. Without one, we cannot know.
      const status = (error as { statusCode?: unknown }).statusCode;
      const message = `Could not ${what} a card in ${conversation.userId}'s chat: ${error instanceof Error ? error.message : String(error)}`;
      throw new DeliveryFailed(message, typeof status === 'number' ? 'no' : 'unknown', typeof status === 'number' ? status : undefined);
    }
  }

  private cardActivity(tracked: TrackedRequest) {
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(requestCard(tracked, this.clock.now())));
    activity.summary = `Customer Lockbox request ${tracked.request.requestId} needs a decision`;
    return activity;
  }
}
