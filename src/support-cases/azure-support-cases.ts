import { UpstreamError } from '../domain/errors';
import type { LockboxRequest } from '../domain/request';
import type { SupportCase, SupportCases } from '../domain/support-case';
import type { JsonClient } from '../http/json-client';
import { subscriptionIds, type SubscriptionList } from '../lockbox/azure/subscriptions';
import { supportFailure } from './errors';
import { parseTicket, ticketPage } from './parse';

export const SUPPORT_API_VERSION = '2024-04-01';
const DAY_MS = 86_400_000;
/** The Support API keeps a case for 18 months after it was opened. */
const RETENTION_MS = 548 * DAY_MS;
const MAX_PAGES = 20;

/**
 * Finds a case by its number with least privilege: listing a subscription's cases needs only
 * Microsoft.Support/supportTickets/read, which Reader has and the bot already holds on every watched
 * subscription. lookUpResourceId would need a tenant-level action Reader does not grant.
 * The request's own subscription is searched first, then the other watched ones.
 */
export class AzureSupportCases implements SupportCases {
  constructor(private readonly client: JsonClient, private readonly subscriptions: SubscriptionList, private readonly now: () => Date) {}

  async find(request: LockboxRequest): Promise<SupportCase | undefined> {
    const caseNumber = request.supportRequest?.trim();
    if (!caseNumber) return undefined;
    const others = await subscriptionIds(this.subscriptions).catch(() => []);
    const order = [...new Set([request.subscriptionId, ...others].filter((s): s is string => Boolean(s)).map((s) => s.toLowerCase()))];
    const failures: UpstreamError[] = [];
    for (const subscriptionId of order) {
      try {
        const found = await this.findIn(subscriptionId, caseNumber);
        if (found) return found;
      } catch (error) {
        failures.push(error instanceof UpstreamError ? error : new UpstreamError(String(error), true));
      }
    }
    // Not found is an answer only when every subscription answered.
    if (failures.length) throw new UpstreamError(failures.map((f) => f.message).join('; '), failures.every((f) => f.transient), failures[0]!.status);
    return undefined;
  }

  private async findIn(subscriptionId: string, caseNumber: string): Promise<SupportCase | undefined> {
    const floor = this.now().getTime() - RETENTION_MS;
    const openedAround = openingDay(caseNumber);
    // Case numbers begin with the day they were opened (yyMMdd), which narrows the list; unverified, so a miss widens it.
    const windows = openedAround && openedAround > floor ? [openedAround - 2 * DAY_MS, floor] : [floor];
    for (const since of windows) {
      const found = await this.search(subscriptionId, caseNumber, new Date(since));
      if (found) return found;
    }
    return undefined;
  }

  private async search(subscriptionId: string, caseNumber: string, since: Date): Promise<SupportCase | undefined> {
    let url: string | undefined = `subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Support/supportTickets`;
    let query: Record<string, string> | undefined = {
      'api-version': SUPPORT_API_VERSION,
      $top: '100',
      $filter: `createdDate ge ${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    };
    for (let pages = 0; url && pages < MAX_PAGES; pages++) {
      const response = await this.client.send({ method: 'GET', url, query });
      if (response.status !== 200) throw supportFailure(`Listing the support cases of subscription ${subscriptionId}`, response);
      const body = ticketPage.safeParse(response.body);
      if (!body.success) throw new UpstreamError(`Listing the support cases of subscription ${subscriptionId} returned an unexpected body`, true, response.status);
      const found = body.data.value.map(parseTicket).find((c) => c?.caseNumber === caseNumber);
      if (found) return found;
      url = body.data.nextLink ?? undefined;
      query = undefined;
    }
    return undefined;
  }
}

function openingDay(caseNumber: string): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})\d{6,}$/.exec(caseNumber);
  if (!m) return undefined;
  const at = Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(at) || Number(m[2]) > 12 || Number(m[3]) > 31 ? undefined : at;
}
