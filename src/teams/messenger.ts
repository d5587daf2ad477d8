import { CardFactory, MessageFactory, teamsNotifyUser, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { DeliveryFailed } from '../domain/errors';
import type { Clock, Conversation, Logger, Messenger } from '../domain/ports';
import type { TrackedRequest } from '../domain/tracked';
import { requestCard, type AdaptiveCard } from './cards/render';
import type { CardFit } from './cards/request-view';
import { t } from './i18n';
import { Pacer, TEAMS_LIMITS } from './pacer';
import { withoutRetries } from './reused-clients';
import { DEFAULT_RETRY, failureOf, withRetries, type RetryPolicy } from './retry';

export interface MessengerOptions {
  /** Shared by everything that sends proactively for this app, so one set of limits covers it all. */
  pacer?: Pacer;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

/** Teams' answer to an activity over its size limit: permanent for that payload, so never retried as it was. */
const TOO_LARGE = 413;

/** What /healthz shows about cards Teams refused as too large. */
export interface OversizeHealth {
  refusedTooLarge: number;
  lastRefusedAt: string | null;
}

/**
 * Posts and updates cards in personal chats, proactively, from saved conversation references. Every
 * request waits for its turn under Teams' rate limits, and one Teams refuses for now is tried again.
 */
export class TeamsMessenger implements Messenger {
  private readonly pacer: Pacer;
  private readonly retry: RetryPolicy;
  private readonly logger?: Logger;
  private readonly oversize: OversizeHealth = { refusedTooLarge: 0, lastRefusedAt: null };

  constructor(private readonly adapter: CloudAdapter, private readonly botAppId: string, private readonly clock: Clock, options: MessengerOptions = {}) {
    this.pacer = options.pacer ?? new Pacer(TEAMS_LIMITS);
    this.retry = { ...DEFAULT_RETRY, now: () => clock.now().getTime(), ...options.retry };
    this.logger = options.logger;
  }

  async postRequestCard(conversation: Conversation, tracked: TrackedRequest): Promise<string> {
    const id = await this.compactIfTooLarge(tracked, (fit) => {
      const activity = this.cardActivity(tracked, conversation, fit);
      teamsNotifyUser(activity);
      return this.send(conversation, 'post', async (context) => (await context.sendActivity({ ...activity }))?.id);
    });
    if (!id) throw new DeliveryFailed('Teams accepted the card but returned no activity id', 'unknown');
    return id;
  }

  /** Cards Teams refused as too large since start, for /healthz. */
  health(): OversizeHealth {
    return { ...this.oversize };
  }

  /** Any other card, paced and retried like the request cards; answers the activity id. */
  async postCard(conversation: Conversation, card: AdaptiveCard, summary: string): Promise<string | undefined> {
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    activity.summary = summary;
    return this.send(conversation, 'post', async (context) => (await context.sendActivity(activity))?.id);
  }

  /** Replaces a card posted with postCard. */
  async updateCard(conversation: Conversation, activityId: string, card: AdaptiveCard, summary: string): Promise<void> {
    const activity = { ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), summary, id: activityId };
    await this.send(conversation, 'update', async (context) => void (await context.updateActivity(activity)));
  }

  /** A short markdown message, pushed to the person's devices as any new chat message is; answers the activity id. */
  async postText(conversation: Conversation, text: string): Promise<string | undefined> {
    const activity = MessageFactory.text(text);
    activity.textFormat = 'markdown';
    teamsNotifyUser(activity);
    return this.send(conversation, 'post', async (context) => (await context.sendActivity(activity))?.id);
  }

  async updateRequestCard(conversation: Conversation, activityId: string, tracked: TrackedRequest): Promise<void> {
    await this.compactIfTooLarge(tracked, async (fit) => {
      const activity = { ...this.cardActivity(tracked, conversation, fit), id: activityId };
      await this.send(conversation, 'update', async (context) => void (await context.updateActivity({ ...activity })));
    });
  }

  /**
   * Sends the card as measured; when Teams still answers 413 (its limit is not published exactly), that
   * payload will never pass, so the compact card goes instead, and the refusal shows in the log and /healthz.
   */
  private async compactIfTooLarge<T>(tracked: TrackedRequest, send: (fit?: CardFit) => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof DeliveryFailed) || error.status !== TOO_LARGE) throw error;
      this.oversize.refusedTooLarge++;
      this.oversize.lastRefusedAt = this.clock.now().toISOString();
      this.logger?.warn('Teams refused a request card as too large; sending the compact card instead', { requestKey: tracked.key });
      return send('compact');
    }
  }

  private async send<T>(conversation: Conversation, what: string, operation: (context: TurnContext) => Promise<T>): Promise<T> {
    try {
      return await withRetries(() => this.pacer.run(conversation.conversationId, () => this.inConversation(conversation, operation)), this.retry);
    } catch (error) {
      // The connector answered with a status: it did not take the message. Without one, we cannot know.
      const { status } = failureOf(error);
      const message = `Could not ${what} a card in ${conversation.userId}'s chat: ${error instanceof Error ? error.message : String(error)}`;
      throw new DeliveryFailed(message, status === undefined ? 'unknown' : 'no', status);
    }
  }

  /** One request to the connector. The adapter hands a turn's errors to onTurnError, which would swallow them, so they are carried out. */
  private async inConversation<T>(conversation: Conversation, operation: (context: TurnContext) => Promise<T>): Promise<T> {
    let outcome: { value: T } | { error: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, conversation.reference as Partial<ConversationReference>, async (context) => {
      withoutClientRetries(context, this.adapter);
      outcome = await operation(context).then((value) => ({ value }), (error: unknown) => ({ error }));
    });
    if (!outcome) throw new Error('the adapter did not run the turn');
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }

  private cardActivity(tracked: TrackedRequest, reader: Conversation, fit?: CardFit) {
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(requestCard(tracked, this.clock.now(), undefined, reader, fit)));
    activity.summary = t(reader.locale, 'request.summary', { id: tracked.request.requestId });
    return activity;
  }
}

/**
 * botbuilder's connector client retries 429s, 5xx and dropped connections three times on its own: unpaced,
 * multiplied by our retries, and after a dropped connection a second copy of a card. The messenger paces
 * and retries itself, so it takes that policy out of the client's pipeline (the bot's adapter keeps its
 * proactive clients without it already; any other adapter may not).
 */
function withoutClientRetries(context: TurnContext, adapter: CloudAdapter): void {
  const client = context.turnState.get<ConnectorClient | undefined>(adapter.ConnectorClientKey);
  if (client) withoutRetries(client);
}
