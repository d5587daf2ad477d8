import { z } from 'zod';
import { sameId } from '../../domain/decision';
import { UpstreamError } from '../../domain/errors';
import type { JsonClient } from '../../http/json-client';
import { armFailure } from './errors';

/** A subscription to watch, with the display name people know it by when ARM gave one. */
export interface Subscription {
  id: string;
  name?: string;
}

export interface SubscriptionList {
  list(): Promise<Subscription[]>;
}

export async function subscriptionIds(subscriptions: SubscriptionList): Promise<string[]> {
  return (await subscriptions.list()).map((s) => s.id);
}

/** Subscriptions known by id only (tools and tests that need no names). */
export function fixedSubscriptions(ids: string[]): SubscriptionList {
  return { list: async () => ids.map((id) => ({ id })) };
}

/** A display name is the customer's text: one that is not a string, or is blank, is no name. */
const displayName = z.string().nullish().catch(undefined).transform((name) => {
  const trimmed = name?.trim();
  return trimmed ? (trimmed.length > NAME_MAX ? `${trimmed.slice(0, NAME_MAX - 1)}…` : trimmed) : undefined;
});

const page = z.object({
  value: z.array(z.object({ subscriptionId: z.string(), displayName, state: z.string().optional() })),
  nextLink: z.string().url().nullish(),
});

const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
const MAX_PAGES = 100;
/** Azure allows 64 characters; anything longer is cut rather than trusted. */
const NAME_MAX = 100;
/** After a failed listing, how long before asking again (never more often than the refresh itself). */
const RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * The subscriptions ARM lists for the bot's identity (GET /subscriptions), refreshed every `refreshMs`;
 * a failed refresh keeps the last known list, so one ARM hiccup does not stop the watch.
 * With `only` (AZURE_SUBSCRIPTION_IDS) exactly those are watched, listed or not: the listing only
 * names them, and a listing that fails leaves them unnamed, never unwatched.
 */
export class ArmSubscriptions implements SubscriptionList {
  private known?: { subscriptions: Subscription[]; at: number };
  private failedAt?: number;

  constructor(private readonly client: JsonClient, private readonly refreshMs: number, private readonly now: () => number, private readonly only?: string[]) {}

  async list(): Promise<Subscription[]> {
    const listed = await this.listed();
    if (!this.only) return listed;
    return this.only.map((id) => {
      const name = listed.find((s) => sameId(s.id, id))?.name;
      return name ? { id, name } : { id };
    });
  }

  private async listed(): Promise<Subscription[]> {
    const now = this.now();
    const fresh = this.known && now - this.known.at < this.refreshMs;
    const resting = this.failedAt !== undefined && now - this.failedAt < Math.min(this.refreshMs, RETRY_AFTER_FAILURE_MS);
    if (fresh || (resting && (this.known || this.only))) return this.known?.subscriptions ?? [];
    try {
      this.known = { subscriptions: await this.fetch(), at: now };
      this.failedAt = undefined;
    } catch (error) {
      this.failedAt = now;
      if (!this.known && !this.only) throw error;
    }
    return this.known?.subscriptions ?? [];
  }

  private async fetch(): Promise<Subscription[]> {
    const found: Subscription[] = [];
    let url: string | undefined = 'subscriptions';
    let query: Record<string, string> | undefined = { 'api-version': SUBSCRIPTIONS_API_VERSION };
    for (let pages = 0; url && pages < MAX_PAGES; pages++) {
      const response = await this.client.send({ method: 'GET', url, query });
      if (response.status !== 200) throw armFailure('Listing the subscriptions the bot can see', response);
      const body = page.safeParse(response.body);
      if (!body.success) throw new UpstreamError('Listing subscriptions returned an unexpected body', true, response.status);
      // Disabled or deleted subscriptions cannot have lockbox requests anyone could act on.
      const usable = body.data.value.filter((s) => !s.state || s.state === 'Enabled' || s.state === 'PastDue' || s.state === 'Warned');
      found.push(...usable.map((s) => (s.displayName ? { id: s.subscriptionId, name: s.displayName } : { id: s.subscriptionId })));
      url = body.data.nextLink ?? undefined;
      query = undefined;
    }
    return found;
  }
}
