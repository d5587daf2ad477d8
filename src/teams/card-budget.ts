import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import type { Clock, Logger } from '../domain/ports';
import { noticeCard } from './cards/render';
import { bytesOverBudget, CARD_BUDGET_BYTES } from './cards/size';
import { t } from './i18n';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/** What /healthz shows about cards that had to be replaced before sending because they were too large. */
export interface CardBudgetHealth {
  replacedBeforeSending: number;
  lastReplacedAt: string | null;
}

/**
 * Measures every card the bot sends (answers, invoke responses and proactive posts alike) before Teams sees it.
 * Request and notice cards fit themselves; this is the net under every other card: one over the budget would
 * be refused (413) with nothing said, so the reader gets a short notice instead and the log and /healthz say so.
 */
export class CardBudget implements Middleware {
  private readonly state: CardBudgetHealth = { replacedBeforeSending: 0, lastReplacedAt: null };

  constructor(private readonly logger: Logger, private readonly clock: Clock) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    context.onSendActivities(async (turn, activities, send) => {
      for (const activity of activities) this.fit(activity, turn.activity.locale);
      return send();
    });
    await next();
  }

  health(): CardBudgetHealth {
    return { ...this.state };
  }

  private fit(activity: Partial<Activity>, locale: string | undefined): void {
    for (const attachment of activity.attachments ?? []) {
      if (attachment.contentType === ADAPTIVE && this.tooLarge(attachment.content, activity)) attachment.content = this.notice(locale);
    }
    const body = (activity.value as { body?: { type?: string; value?: unknown } } | undefined)?.body;
    if (activity.type === ActivityTypes.InvokeResponse && body?.type === ADAPTIVE && this.tooLarge(body.value, activity)) body.value = this.notice(locale);
  }

  private tooLarge(card: unknown, activity: Partial<Activity>): boolean {
    const bytes = bytesOverBudget(card);
    if (bytes === undefined) return false;
    this.state.replacedBeforeSending++;
    this.state.lastReplacedAt = this.clock.now().toISOString();
    this.logger.warn('A card was too large for Teams and was replaced by a short notice before sending', { activityType: activity.type, bytes, budget: CARD_BUDGET_BYTES });
    return true;
  }

  private notice(locale: string | undefined) {
    return noticeCard(t(locale, 'card.tooLarge.title'), t(locale, 'card.tooLarge.text'), 'warning');
  }
}
