import { z } from 'zod';
import { UpstreamError } from '../../domain/errors';
import type { JsonClient } from '../../http/json-client';
import { armFailure } from './errors';

export interface SubscriptionList {
  ids(): Promise<string[]>;
}

/** The subscriptions named in AZURE_SUBSCRIPTION_IDS. */
export function fixedSubscriptions(ids: string[]): SubscriptionList {
  return { ids: async () => ids };
}

const page = z.object({
  value: z.array(z.object({ subscriptionId: z.string(), state: z.string().optional() })),
  nextLink: z.string().url().nullish(),
});

const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
const MAX_PAGES = 100;

/**
 * Every subscription the bot's identity can see (GET /subscriptions), refreshed every `refreshMs`.
 * If a refresh fails the last known list is kept, so one ARM hiccup does not stop the watch.
 */
export class DiscoveredSubscriptions implements SubscriptionList {
  private known?: { ids: string[]; at: number };

  constructor(private readonly client: JsonClient, private readonly refreshMs: number, private readonly now: () => number = Date.now) {}

  async ids(): Promise<string[]> {
    if (this.known && this.now() - this.known.at < this.refreshMs) return this.known.ids;
    try {
      this.known = { ids: await this.fetch(), at: this.now() };
    } catch (error) {
      if (!this.known) throw error;
    }
    return this.known.ids;
  }

  private async fetch(): Promise<string[]> {
    const ids: string[] = [];
    let url: string | undefined = 'subscriptions';
    let query: Record<string, string> | undefined = { 'api-version': SUBSCRIPTIONS_API_VERSION };
    for (let pages = 0; url && pages < MAX_PAGES; pages++) {
      const response = await this.client.send({ method: 'GET', url, query });
      if (response.status !== 200) throw armFailure('Listing the subscriptions the bot can see', response);
      const body = page.safeParse(response.body);
      if (!body.success) throw new UpstreamError('Listing subscriptions returned an unexpected body', true, response.status);
      // Disabled or deleted subscriptions cannot have lockbox requests anyone could act on.
      ids.push(...body.data.value.filter((s) => !s.state || s.state === 'Enabled' || s.state === 'PastDue' || s.state === 'Warned').map((s) => s.subscriptionId));
      url = body.data.nextLink ?? undefined;
      query = undefined;
    }
    return ids;
  }
}
