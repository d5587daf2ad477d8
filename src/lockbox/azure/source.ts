import { z } from 'zod';
import type { Verdict } from '../../domain/decision';
import { expectedStatus, upstreamVerb } from '../../domain/decision';
import { UpstreamError } from '../../domain/errors';
import type { LockboxSource, Logger, SourceListing } from '../../domain/ports';
import type { LockboxRequest } from '../../domain/request';
import type { JsonClient } from '../../http/json-client';
import { armFailure } from './errors';
import { settleWithLimit } from '../concurrency';
import { parseAzureRequest } from './parse';
import type { SubscriptionList } from './subscriptions';

export const AZURE_LOCKBOX_API_VERSION = '2018-02-28-preview';
const MAX_PAGES = 100;
const DEFAULT_CONCURRENCY = 16;

const optIn = z.object({ isOptedIn: z.boolean() });
const page = z.object({ value: z.array(z.unknown()), nextLink: z.string().url().optional().nullable() });

export interface AzureLockboxOptions {
  client: JsonClient;
  subscriptions: SubscriptionList;
  /** How many subscriptions are listed at once. */
  concurrency?: number;
  /**
   * For updateApproval: a client that never retries by itself, since a retried POST could decide twice.
   * The decision outbox retries instead, after asking upstream whether the request is still pending.
   */
  decisionClient?: JsonClient;
  tenantId: string;
  logger: Logger;
}

/** Azure Customer Lockbox over Azure Resource Manager (Microsoft.CustomerLockbox, api-version 2018-02-28-preview). */
export class AzureLockboxSource implements LockboxSource {
  readonly kind = 'azure' as const;

  constructor(private readonly options: AzureLockboxOptions) {}

  async listPending(): Promise<SourceListing> {
    const listing: SourceListing = { requests: [], failures: [] };
    const subscriptionIds = await this.options.subscriptions.ids();
    const results = await settleWithLimit(subscriptionIds, this.options.concurrency ?? DEFAULT_CONCURRENCY, (s) => this.listSubscription(s));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') listing.requests.push(...result.value);
      else listing.failures.push({ scope: `subscription ${subscriptionIds[i]}`, subscriptionId: subscriptionIds[i], error: String(result.reason?.message ?? result.reason) });
    });
    if (listing.failures.length === results.length && results.length > 0) {
      throw new UpstreamError(listing.failures.map((f) => `${f.scope}: ${f.error}`).join('; '), true);
    }
    return listing;
  }

  private async listSubscription(subscriptionId: string): Promise<LockboxRequest[]> {
    const requests: LockboxRequest[] = [];
    let url: string | undefined = `subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.CustomerLockbox/requests`;
    let query: Record<string, string> | undefined = { 'api-version': AZURE_LOCKBOX_API_VERSION, $filter: "properties/status eq 'Pending'" };
    for (let pages = 0; url && pages < MAX_PAGES; pages++) {
      const response = await this.options.client.send({ method: 'GET', url, query });
      if (response.status !== 200) throw armFailure(`Listing lockbox requests in subscription ${subscriptionId}`, response);
      const body = page.safeParse(response.body);
      if (!body.success) throw new UpstreamError(`Listing lockbox requests in subscription ${subscriptionId} returned an unexpected body`, true, response.status);
      for (const raw of body.data.value) {
        const parsed = parseAzureRequest(raw, subscriptionId);
        if (parsed.ok) requests.push(parsed.request);
        else this.options.logger.warn('Skipped a lockbox request that could not be read', { subscriptionId, requestId: parsed.id, error: parsed.error });
      }
      url = body.data.nextLink ?? undefined;
      query = undefined;
    }
    return requests;
  }

  async getRequest(request: LockboxRequest): Promise<LockboxRequest | undefined> {
    const response = await this.options.client.send({ method: 'GET', url: this.requestPath(request), query: { 'api-version': AZURE_LOCKBOX_API_VERSION } });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw armFailure(`Reading lockbox request ${request.requestId}`, response);
    const parsed = parseAzureRequest(response.body, request.subscriptionId);
    if (!parsed.ok) throw new UpstreamError(`Lockbox request ${request.requestId} came back unreadable: ${parsed.error}`, true);
    return parsed.request;
  }

  async submitDecision(request: LockboxRequest, verdict: Verdict, reason: string): Promise<{ upstreamStatus: string }> {
    const response = await (this.options.decisionClient ?? this.options.client).send({
      method: 'POST',
      url: `${this.requestPath(request)}/updateApproval`,
      query: { 'api-version': AZURE_LOCKBOX_API_VERSION },
      body: { status: upstreamVerb(verdict), reason },
    });
    if (response.status === 200) return { upstreamStatus: expectedStatus(verdict) };
    const failure = armFailure(`Submitting the decision on lockbox request ${request.requestId}`, response);
    // Decided elsewhere (portal, another bot instance): adopt what upstream says instead of failing.
    if (failure.currentStatus && failure.currentStatus !== 'Pending') return { upstreamStatus: failure.currentStatus };
    throw failure;
  }

  async isEnabled(): Promise<boolean> {
    const response = await this.options.client.send({ method: 'GET', url: `providers/Microsoft.CustomerLockbox/tenantOptedIn/${encodeURIComponent(this.options.tenantId)}`, query: { 'api-version': AZURE_LOCKBOX_API_VERSION } });
    if (response.status !== 200) throw armFailure('Asking whether Customer Lockbox is on for the tenant', response);
    const body = optIn.safeParse(response.body);
    if (!body.success) throw new UpstreamError('Asking whether Customer Lockbox is on returned an unexpected body', true, response.status);
    return body.data.isOptedIn;
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const action = enabled ? 'enableLockbox' : 'disableLockbox';
    const response = await (this.options.decisionClient ?? this.options.client).send({ method: 'POST', url: `providers/Microsoft.CustomerLockbox/${action}`, query: { 'api-version': AZURE_LOCKBOX_API_VERSION } });
    if (response.status !== 200) throw armFailure(`Turning Customer Lockbox ${enabled ? 'on' : 'off'}`, response);
  }

  private requestPath(request: LockboxRequest): string {
    if (!request.subscriptionId) throw new UpstreamError(`Lockbox request ${request.requestId} has no subscription; tenant-scoped requests cannot be read by id`, false);
    return `subscriptions/${encodeURIComponent(request.subscriptionId)}/providers/Microsoft.CustomerLockbox/requests/${encodeURIComponent(request.requestId)}`;
  }
}
