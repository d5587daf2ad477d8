import { randomUUID } from 'node:crypto';
import type { SimulatorLogger } from './logger';
import type { DirectoryUser, TeamsCatalogApp } from './tenant';

export interface TeamsChannelConfig {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** Put in every activity; where the bot sends its replies. */
  serviceUrl: string;
}

/** What became of one activity sent to the bot. */
export interface TeamsDelivery {
  at: string;
  type: string;
  userId: string;
  botEndpoint: string;
  /** The bot's HTTP status; absent when the request failed outright. */
  status?: number;
  error?: string;
}

const KEPT_DELIVERIES = 50;
const KEPT_NOTIFICATIONS = 5000;

/** One activity-feed notification as Teams received it, per recipient. */
export interface FeedNotification {
  at: string;
  userId: string;
  activityType: string;
  previewText: string;
  topic: { source: string; value: string; webUrl?: string };
  templateParameters: Record<string, string>;
}

/**
 * The Teams side of an app installation: once configured, it posts the activities Teams would
 * send the bot. Fire and forget, no retries, no Bot Framework token (the bot runs in local mode).
 */
export class TeamsChannel {
  private config: TeamsChannelConfig | undefined;
  private deliveries: TeamsDelivery[] = [];
  private notifications: FeedNotification[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly tenantId: string,
    private readonly logger: SimulatorLogger,
    private readonly shutdown: AbortSignal,
    private readonly clock: () => Date,
  ) {}

  configure(config: TeamsChannelConfig | undefined): void {
    this.config = config && { ...config };
  }

  current(): TeamsChannelConfig | undefined {
    return this.config && { ...this.config };
  }

  /** Newest last. */
  listDeliveries(): TeamsDelivery[] {
    return this.deliveries.map((d) => ({ ...d }));
  }

  /** Records activity-feed notifications, newest last, as the Teams desktop feed would show them. */
  recordNotifications(items: Omit<FeedNotification, 'at'>[]): void {
    const at = this.clock().toISOString();
    this.notifications.push(...items.map((n) => ({ at, ...n })));
    if (this.notifications.length > KEPT_NOTIFICATIONS) this.notifications.splice(0, this.notifications.length - KEPT_NOTIFICATIONS);
  }

  listNotifications(): FeedNotification[] {
    return this.notifications.map((n) => ({ ...n }));
  }

  clearNotifications(): void {
    this.notifications = [];
  }

  /** Resolves when every activity already scheduled has been answered or has failed; for tests. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** The personal-scope conversationUpdate Teams sends when the app is installed for a user. */
  botInstalledFor(user: DirectoryUser, app: TeamsCatalogApp): void {
    const config = this.config;
    if (!config) return;
    const bot = { id: `28:${app.externalId}`, name: app.displayName };
    const activity = {
      type: 'conversationUpdate',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: config.serviceUrl,
      timestamp: this.clock().toISOString(),
      from: { id: `29:${user.id}`, aadObjectId: user.id, name: user.displayName },
      recipient: bot,
      conversation: { id: `a:personal-${user.id}`, conversationType: 'personal', tenantId: this.tenantId },
      channelData: { tenant: { id: this.tenantId } },
      membersAdded: [{ id: bot.id }],
    };
    this.send(config.botEndpoint, user.id, activity);
  }

  /** Posts on the next turn of the event loop, so the Graph answer leaves first. */
  private send(botEndpoint: string, userId: string, activity: { type: string }): void {
    const record = (outcome: Pick<TeamsDelivery, 'status' | 'error'>): void => {
      this.deliveries.push({ at: this.clock().toISOString(), type: activity.type, userId, botEndpoint, ...outcome });
      if (this.deliveries.length > KEPT_DELIVERIES) this.deliveries.splice(0, this.deliveries.length - KEPT_DELIVERIES);
    };
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => fetch(botEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: this.shutdown,
      }))
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        record({ status: res.status });
        if (res.ok) this.logger.info('simulator: activity delivered to the bot', { type: activity.type, userId, status: res.status });
        else this.logger.warn('simulator: the bot refused an activity', { type: activity.type, userId, botEndpoint, status: res.status });
      })
      .catch((err: unknown) => {
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
        const error = err instanceof Error ? `${err.message}${cause}` : String(err);
        record({ error });
        this.logger.warn('simulator: could not deliver an activity to the bot', { type: activity.type, userId, botEndpoint, error });
      })
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }
}
