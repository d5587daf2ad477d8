import { z } from 'zod';
import type { Verdict } from '../../domain/decision';
import { upstreamVerb } from '../../domain/decision';
import { RequestGone, UpstreamConflict, UpstreamError } from '../../domain/errors';
import type { LockboxSource, Logger, SourceListing, SubmitAnswer } from '../../domain/ports';
import type { LockboxRequest } from '../../domain/request';
import type { JsonClient, JsonResponse } from '../../http/json-client';
import { signInRefused } from '../sign-in';
import { armFailure } from './errors';
import { settleWithLimit } from '../concurrency';
import { parseAzureRequest } from './parse';
import type { Subscription, SubscriptionList } from './subscriptions';

export const AZURE_LOCKBOX_API_VERSION = '2018-02-28-preview';
const MAX_PAGES = 100;
const DEFAULT_CONCURRENCY = 16;

/** updateApproval answers with the approval it took: `{"status":"Approve"|"Deny","reason":…}`. */
const approval = z.object({ status: z.string(), reason: z.string().nullish() }).passthrough();
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

  /** Per subscription, where a listing that stopped at MAX_PAGES carries on next cycle. */
  private readonly resumeAt = new Map<string, string>();

  constructor(private readonly options: AzureLockboxOptions) {}

  async listPending(): Promise<SourceListing> {
    const listing: SourceListing = { requests: [], failures: [] };
    const subscriptions = await this.options.subscriptions.list();
    listing.subscriptions = subscriptions;
    const results = await settleWithLimit(subscriptions, this.options.concurrency ?? DEFAULT_CONCURRENCY, (s) => this.listSubscription(s));
    results.forEach((result, i) => {
      const { id, name } = subscriptions[i]!;
      const failed = { scope: `subscription ${name ? `${name} (${id})` : id}`, subscriptionId: id, ...(name ? { subscriptionName: name } : {}) };
      if (result.status === 'fulfilled') {
        listing.requests.push(...result.value.requests);
        listing.skipped = (listing.skipped ?? 0) + result.value.skipped;
        // The requests read are kept; nothing is concluded about the ones not reached (a failed scope).
        if (result.value.stoppedEarly) listing.failures.push({ ...failed, error: `listing stopped after ${MAX_PAGES} pages; the rest is read next cycle` });
      } else listing.failures.push({ ...failed, error: String(result.reason?.message ?? result.reason) });
    });
    if (results.every((r) => r.status === 'rejected') && results.length > 0) {
      throw new UpstreamError(listing.failures.map((f) => `${f.scope}: ${f.error}`).join('; '), true);
    }
    return listing;
  }

  private async listSubscription({ id: subscriptionId, name }: Subscription): Promise<{ requests: LockboxRequest[]; stoppedEarly: boolean; skipped: number }> {
    const requests: LockboxRequest[] = [];
    let skipped = 0;
    const resume = this.resumeAt.get(subscriptionId);
    this.resumeAt.delete(subscriptionId);
    let url: string | undefined = resume ?? `subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.CustomerLockbox/requests`;
    // As the published Requests_List example asks: each request with its properties, not a bare id.
    let query: Record<string, string> | undefined = resume ? undefined : { 'api-version': AZURE_LOCKBOX_API_VERSION, $filter: "properties/status eq 'Pending'", $expand: 'properties' };
    for (let pages = 0; url && pages < MAX_PAGES; pages++) {
      const response = await this.options.client.send({ method: 'GET', url, query });
      if (response.status !== 200) throw armFailure(`Listing lockbox requests in subscription ${subscriptionId}`, response);
      const body = page.safeParse(response.body);
      if (!body.success) throw new UpstreamError(`Listing lockbox requests in subscription ${subscriptionId} returned an unexpected body`, true, response.status);
      for (const raw of body.data.value) {
        const parsed = parseAzureRequest(raw, subscriptionId, true);
        // The listing's name only for a request that is, by its own record, of that subscription.
        const own = parsed.ok && parsed.request.subscriptionId?.toLowerCase() === subscriptionId.toLowerCase();
        if (parsed.ok) requests.push(name && own ? { ...parsed.request, subscriptionName: name } : parsed.request);
        else {
          skipped++;
          this.options.logger.warn('Skipped a lockbox request that could not be read', { subscriptionId, requestId: parsed.id, error: parsed.error });
        }
      }
      url = body.data.nextLink ?? undefined;
      query = undefined;
    }
    if (!url) return { requests, stoppedEarly: false, skipped };
    this.resumeAt.set(subscriptionId, url);
    this.options.logger.warn('Listing lockbox requests stopped at the page limit; the rest is read next cycle', { subscriptionId, pages: MAX_PAGES });
    return { requests, stoppedEarly: true, skipped };
  }

  async getRequest(request: LockboxRequest): Promise<LockboxRequest | undefined> {
    // Read where it was listed: reading decides nothing, and a request of no subscription has no other address.
    const listedIn = request.listedIn ?? request.subscriptionId;
    const response = await this.options.client.send({ method: 'GET', url: this.requestPath(request, listedIn), query: { 'api-version': AZURE_LOCKBOX_API_VERSION } });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw armFailure(`Reading lockbox request ${request.requestId}`, response);
    const parsed = parseAzureRequest(response.body, listedIn);
    if (!parsed.ok) throw new UpstreamError(`Lockbox request ${request.requestId} came back unreadable: ${parsed.error}`, true);
    // The request itself does not carry its subscription's name: it stays as the listing found it.
    return request.subscriptionName ? { ...parsed.request, subscriptionName: request.subscriptionName } : parsed.request;
  }

  async submitDecision(request: LockboxRequest, verdict: Verdict, reason: string): Promise<SubmitAnswer> {
    const response = await (this.options.decisionClient ?? this.options.client).send({
      method: 'POST',
      url: `${this.requestPath(request, request.subscriptionId)}/updateApproval`,
      query: { 'api-version': AZURE_LOCKBOX_API_VERSION },
      body: { status: upstreamVerb(verdict), reason },
    });
    if (response.status >= 200 && response.status < 300) return approvalAnswer(response, verdict);
    const what = `Submitting the decision on lockbox request ${request.requestId}`;
    if (response.status === 404) throw new RequestGone(request.requestId);
    const failure = armFailure(what, response);
    // Decided elsewhere (portal, another bot instance): adopt what upstream says instead of failing.
    if (failure.currentStatus && failure.currentStatus !== 'Pending') return { upstreamStatus: failure.currentStatus };
    if (response.status === 409) throw new UpstreamConflict(`${what}: Microsoft answered that another change to this request was under way (HTTP 409); the bot reads the request back and tries again`);
    if (response.status === 401) throw signInRefused(what, response);
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

  /** A decision goes only to the request's own subscription: Azure has no tenant-scoped updateApproval. */
  private requestPath(request: LockboxRequest, subscriptionId: string | undefined): string {
    if (!subscriptionId) throw new UpstreamError(`Lockbox request ${request.requestId} has no subscription; tenant-scoped requests cannot be read or decided through the API`, false);
    return `subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.CustomerLockbox/requests/${encodeURIComponent(request.requestId)}`;
  }
}

/** A 2xx is Microsoft's only if its body is the approval it took; anything else (a proxy's HTML page) is reported, not believed. */
function approvalAnswer(response: JsonResponse, verdict: Verdict): SubmitAnswer {
  const body = approval.safeParse(response.body);
  if (response.status === 200 && body.success && body.data.status.toLowerCase() === upstreamVerb(verdict).toLowerCase()) return {};
  const type = response.headers['content-type'] ?? 'no content type';
  const shape = typeof response.body === 'string' ? `text (${type})` : response.body === undefined ? 'an empty body' : `JSON that is not an approval (${type})`;
  return { anomaly: `Microsoft's address answered HTTP ${response.status} with ${shape}, not with the approval it took` };
}
