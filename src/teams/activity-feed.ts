import type { Milestone } from '../domain/escalation';
import { UpstreamError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import type { Notifier } from '../domain/notifications';
import type { TrackedRequest } from '../domain/tracked';
import type { JsonClient } from '../http/json-client';
import { describeResource } from './cards/resource';
import { timeLeftWords } from './cards/bounds';
import { productName } from './cards/text';

/** Graph takes at most this many recipients per call. */
const BATCH = 100;
/** Worth trying next cycle: 412 (the token expires within 45 minutes, still so after one retry with a new one), throttling, outages. */
const TRANSIENT = (status: number) => status === 412 || status === 429 || status >= 500;

/**
 * Teams activity-feed notifications through Microsoft Graph (TeamsActivity.Send): the desktop channel.
 * Teams shows the feed of an app the organisation uploaded itself on desktop and web only (phones show
 * allow-listed third-party apps), so what must reach a phone is also a chat message. The activity types
 * and their template parameters are declared in the app manifest.
 */
export class GraphActivityFeed implements Notifier {
  readonly batchSize = BATCH;

  constructor(private readonly graph: JsonClient, private readonly deepLink: string, private readonly clock: Clock) {}

  async notify(userIds: string[], tracked: TrackedRequest, milestone: Milestone): Promise<void> {
    const left = timeLeftWords(tracked.request, this.clock.now());
    const source = productName(tracked.request.source);
    const resource = tracked.request.resourceIds[0] ? describeResource(tracked.request.resourceIds[0]) : tracked.request.requestId;
    const body = {
      topic: { source: 'text', value: 'Customer Lockbox', webUrl: this.deepLink },
      activityType: milestone.kind === 'new' ? 'lockboxRequest' : 'lockboxEscalation',
      previewText: { content: `${source} · ${resource} · ${left ? `${left} left` : 'expiry unknown'}`.slice(0, 150) },
      templateParameters: [
        { name: 'source', value: source },
        // The manifest's texts end "({timeLeft})": the words around the time are ours, so an unknown one reads right.
        { name: 'timeLeft', value: left ? `${left} left` : 'expiry unknown' },
      ],
    };
    for (let i = 0; i < userIds.length; i += BATCH) {
      const recipients = userIds.slice(i, i + BATCH).map((userId) => ({ '@odata.type': 'microsoft.graph.aadUserNotificationRecipient', userId }));
      const response = await this.graph.send({ method: 'POST', url: 'v1.0/teamwork/sendActivityNotificationToRecipients', body: { ...body, recipients } });
      if (response.status >= 300) {
        const advice = response.status === 403 ? ': grant Microsoft Graph TeamsActivity.Send (application) with admin consent, and install the app for the recipients' : '';
        throw new UpstreamError(`Sending a Teams activity notification failed with HTTP ${response.status}${advice}`, TRANSIENT(response.status), response.status);
      }
    }
  }
}

/** A link that opens the bot's chat in Teams: by bot id when there is one, else by the app's manifest id. */
export function chatDeepLink(botId: string, teamsAppId: string | undefined): string {
  if (botId) return `https://teams.microsoft.com/l/chat/0/0?users=28:${botId}`;
  return `https://teams.microsoft.com/l/app/${teamsAppId ?? 'lockbox-bot'}`;
}
