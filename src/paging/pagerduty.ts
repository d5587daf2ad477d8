import { createHash } from 'node:crypto';
import { UpstreamError } from '../domain/errors';
import { microsoftSupportLink } from '../domain/support-links';
import type { Pager, Severity } from '../domain/paging';
import type { Clock } from '../domain/ports';
import type { TrackedRequest } from '../domain/tracked';
import type { JsonClient } from '../http/json-client';
import { describeResource } from '../teams/cards/resource';
import { AZURE_LOCKBOX_PAGE, M365_LOCKBOX_PAGE } from '../domain/support-links';
import { timeLeftWords } from '../teams/cards/bounds';
import { productName } from '../teams/cards/text';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Where people decide outside Teams. Unverified deep links: the Azure portal's Customer Lockbox blade, the Microsoft 365 admin center's page. */
const PORTAL = {
  azure: { href: AZURE_LOCKBOX_PAGE, text: 'Customer Lockbox in the Azure portal' },
  m365: { href: M365_LOCKBOX_PAGE, text: 'Customer Lockbox requests in the Microsoft 365 admin center' },
} as const;

/** What /healthz says about paging: never the key, and only PagerDuty's own words about a refused event. */
export interface PagerHealth {
  state: 'ok' | 'refused' | 'unreachable' | 'idle';
  at?: string;
  /** PagerDuty's message for the last refused event. */
  message?: string;
}

export interface PagerDutyOptions {
  client: JsonClient;
  eventsUrl: string;
  /** The integration key of an Events API v2 integration: a secret, sent in the body and nowhere else. */
  routingKey: string;
  /** Opens the bot's chat in Teams. */
  chatLink: string;
  clock: Clock;
}

/**
 * PagerDuty Events API v2: one alert per request (its dedup_key), triggered with a summary people act on
 * from a phone, and resolved with the same key. 429 and 5xx are retried by the client's pipeline; what is
 * left of them is transient, any other refusal (a 400 says why) is final.
 */
export class PagerDutyEvents implements Pager {
  private last: PagerHealth = { state: 'idle' };

  constructor(private readonly options: PagerDutyOptions) {}

  health(): PagerHealth {
    return { ...this.last };
  }

  async trigger(tracked: TrackedRequest, severity: Severity): Promise<void> {
    const r = tracked.request;
    const resource = r.resourceIds[0] ? describeResource(r.resourceIds[0]) : r.requestId;
    const left = timeLeftWords(r, this.options.clock.now());
    const links = [{ href: this.options.chatLink, text: 'Decide in Teams (Lockbox Bot)' }, PORTAL[r.source]];
    const supportLink = microsoftSupportLink(r.supportCaseUrl);
    if (supportLink) links.push({ href: supportLink, text: 'Support case' });
    await this.send({
      event_action: 'trigger',
      dedup_key: dedupKey(tracked.key),
      payload: {
        summary: `Customer Lockbox request (${productName(r.source)}): ${resource}, ${left ? `${left} left to decide` : 'expiry unknown (see custom details)'}`.slice(0, 1024),
        source: r.subscriptionId ? `subscription ${r.subscriptionId}` : productName(r.source),
        severity,
        timestamp: this.options.clock.now().toISOString(),
        component: resource.slice(0, 255),
        group: productName(r.source),
        class: 'Customer Lockbox request',
        custom_details: {
          requestId: r.requestId,
          product: productName(r.source),
          ...(r.subscriptionId ? { subscriptionId: r.subscriptionId } : {}),
          resources: r.resourceIds.slice(0, 10),
          expiresAt: r.expiresAt,
          ...(r.supportRequest ? { supportRequest: r.supportRequest } : {}),
        },
      },
      links,
      client: 'Lockbox Bot',
      client_url: this.options.chatLink,
    });
  }

  async resolve(tracked: TrackedRequest): Promise<void> {
    await this.send({ event_action: 'resolve', dedup_key: dedupKey(tracked.key) });
  }

  private async send(event: Record<string, unknown>): Promise<void> {
    const at = this.options.clock.now().toISOString();
    let response;
    try {
      response = await this.options.client.send({ method: 'POST', url: this.options.eventsUrl, body: { routing_key: this.options.routingKey, ...event } });
    } catch (error) {
      this.last = { state: 'unreachable', at };
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      this.last = { state: 'ok', at };
      return;
    }
    const transient = response.status === 429 || response.status >= 500;
    const said = this.scrub(wordsOf(response.body));
    this.last = transient ? { state: 'unreachable', at } : { state: 'refused', at, message: said ?? `HTTP ${response.status}` };
    throw new UpstreamError(`PagerDuty answered HTTP ${response.status}${said ? `: ${said}` : ''}`, transient, response.status);
  }

  /** PagerDuty's words go to the log and /healthz: the key must never ride along, whatever they quote. */
  private scrub(text: string | undefined): string | undefined {
    return text?.split(this.options.routingKey).join('(routing key)').slice(0, 500);
  }
}

/** PagerDuty's message and errors list, e.g. "Event object is invalid: 'payload.summary' is missing". */
function wordsOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body : undefined;
  const { message, errors } = body as { message?: unknown; errors?: unknown };
  const details = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  const text = [typeof message === 'string' ? message : undefined, details.join('; ') || undefined].filter(Boolean).join(': ');
  return text || undefined;
}

/** One alert per request: its key, or a digest of it when longer than PagerDuty's 255 characters. */
export function dedupKey(requestKey: string): string {
  const key = `lockbox:${requestKey}`;
  return key.length <= 255 ? key : `lockbox:sha256:${createHash('sha256').update(requestKey).digest('hex')}`;
}
