import { z } from 'zod';
import type { Verdict } from '../../domain/decision';
import { upstreamVerb } from '../../domain/decision';
import { RequestGone, UpstreamError, UpstreamNotPermitted } from '../../domain/errors';
import type { Clock, LockboxSource, Logger, SourceListing, SubmitAnswer } from '../../domain/ports';
import type { LockboxRequest } from '../../domain/request';
import type { JsonClient, JsonResponse } from '../../http/json-client';
import { signInRefused } from '../sign-in';
import { ExoFailure, exoFailure } from './errors';
import { M365RecordParser, serviceNameFor } from './parse';

/** The mailbox app-only calls are routed by, as the ExchangeOnlineManagement module does it. */
export const EXO_APP_ANCHOR_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';
const MAX_PAGES = 100;
const MAX_WARNINGS_REMEMBERED = 100;

const page = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().min(1).optional().nullable(),
  '@adminapi.warnings': z.array(z.unknown()).optional().nullable(),
});

export interface M365LockboxOptions {
  /** Base URL of the Exchange Online endpoint, with a token for that endpoint's /.default scope. */
  client: JsonClient;
  /**
   * For Set- cmdlets: a client that never retries by itself, since a retried decision could land twice.
   * The decision outbox retries instead, after asking upstream whether the request is still pending.
   */
  decisionClient?: JsonClient;
  /** M365_DECISIONS=admin-center: requests are shown, and decided in the Microsoft 365 admin center. */
  decideInPortal?: boolean;
  /** The tenant id (GUID) the app signs in to. */
  tenantId: string;
  logger: Logger;
  /** When a record was read, for one that carries no usable time at all. */
  clock: Clock;
}

type Parameters = Record<string, string | boolean>;

/** Microsoft 365 Customer Lockbox through the Exchange Online admin API (the REST endpoint behind ExchangeOnlineManagement v3). */
export class M365LockboxSource implements LockboxSource {
  readonly kind = 'm365' as const;
  private readonly parser: M365RecordParser;
  private readonly warned = new Set<string>();

  constructor(private readonly options: M365LockboxOptions) {
    this.parser = new M365RecordParser(options.logger);
  }

  async listPending(): Promise<SourceListing> {
    const records = await this.run('Listing pending Microsoft 365 lockbox requests', 'Get-AccessToCustomerDataRequest', { ApprovalStatus: 'Pending' });
    const requests: LockboxRequest[] = [];
    let skipped = 0;
    const seenAt = this.options.clock.now();
    for (const raw of records) {
      const parsed = this.parser.parse(raw, { listedAsPending: true, seenAt });
      if (parsed.ok) requests.push(this.marked(parsed.request));
      else {
        skipped++;
        this.options.logger.warn('Skipped a Microsoft 365 lockbox request that could not be read', { requestId: parsed.id, error: parsed.error });
      }
    }
    return { requests, failures: [], skipped };
  }

  async getRequest(request: LockboxRequest): Promise<LockboxRequest | undefined> {
    const what = `Reading Microsoft 365 lockbox request ${request.requestId}`;
    let records: unknown[];
    try {
      records = await this.run(what, 'Get-AccessToCustomerDataRequest', { RequestId: request.requestId });
    } catch (error) {
      // Some cmdlets answer an unknown id with ManagementObjectNotFoundException rather than nothing;
      // any other 404 (an unknown tenant, say) is a failure, not a vanished request.
      if (error instanceof ExoFailure && error.status === 404 && /ObjectNotFound/i.test(error.detail.type ?? '')) return undefined;
      throw error;
    }
    const seenAt = this.options.clock.now();
    const parsed = records.map((raw) => this.parser.parse(raw, { seenAt }));
    const found = parsed.find((p) => p.ok && p.request.requestId.toLowerCase() === request.requestId.toLowerCase()) ?? parsed[0];
    if (!found) return undefined;
    if (!found.ok) throw new UpstreamError(`Microsoft 365 lockbox request ${request.requestId} came back unreadable: ${found.error}`, true);
    return this.marked(found.request);
  }

  async submitDecision(request: LockboxRequest, verdict: Verdict, reason: string): Promise<SubmitAnswer> {
    const parameters: Parameters = { ApprovalDecision: upstreamVerb(verdict), RequestId: request.requestId };
    if (reason !== '') parameters.Comment = reason;
    const serviceName = serviceNameFor(request);
    if (serviceName) parameters.ServiceName = serviceName;
    const response = await this.invoke(this.options.decisionClient ?? this.options.client, 'Set-AccessToCustomerDataRequest', parameters);
    if (isSuccess(response)) {
      this.noteWarnings('Set-AccessToCustomerDataRequest', response.body);
      return setAnswer(response);
    }
    const failure = exoFailure(`Submitting the decision on Microsoft 365 lockbox request ${request.requestId}`, response);
    if (failure.kind === 'permission') throw new UpstreamNotPermitted(failure.message, failure.status);
    if (failure.status === 404 && /ObjectNotFound/i.test(failure.detail.type ?? '')) throw new RequestGone(request.requestId);
    if (failure.status === 401) throw signInRefused(failure.message, response);
    // Exchange gives no machine-readable state: when it refused the request itself (already decided
    // elsewhere, expired), read it back and adopt what it says now instead of failing.
    if (failure.kind === 'rejected') {
      const current = await this.getRequest(request);
      if (current && current.status !== 'Pending') return { upstreamStatus: current.status };
    }
    throw failure;
  }

  async isEnabled(): Promise<boolean> {
    const [config] = await this.run('Asking whether Customer Lockbox is on in Microsoft 365', 'Get-OrganizationConfig', {});
    const enabled = customerLockboxEnabled(config);
    if (enabled === undefined) throw new UpstreamError('Get-OrganizationConfig answered without CustomerLockBoxEnabled', true);
    return enabled;
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const what = `Turning Customer Lockbox ${enabled ? 'on' : 'off'} in Microsoft 365`;
    const response = await this.invoke(this.options.decisionClient ?? this.options.client, 'Set-OrganizationConfig', { CustomerLockboxEnabled: enabled });
    if (!isSuccess(response)) throw exoFailure(what, response);
    this.noteWarnings('Set-OrganizationConfig', response.body);
  }

  private marked(request: LockboxRequest): LockboxRequest {
    return this.options.decideInPortal ? { ...request, decideInPortal: true } : request;
  }

  /** Runs a Get- cmdlet and follows @odata.nextLink, POSTing the same body to each page. */
  private async run(what: string, cmdlet: string, parameters: Parameters): Promise<unknown[]> {
    const records: unknown[] = [];
    let url: string | undefined = this.invokePath();
    for (let pages = 0; url && pages < MAX_PAGES; pages++) {
      const response = await this.invoke(this.options.client, cmdlet, parameters, url);
      if (!isSuccess(response)) throw exoFailure(what, response);
      const body = page.safeParse(response.body);
      if (!body.success) throw new UpstreamError(`${what} returned an unexpected body`, true, response.status);
      this.noteWarnings(cmdlet, response.body);
      records.push(...body.data.value);
      url = body.data['@odata.nextLink'] ?? undefined;
    }
    return records;
  }

  private invoke(client: JsonClient, cmdlet: string, parameters: Parameters, url = this.invokePath()): Promise<JsonResponse> {
    return client.send({
      method: 'POST',
      url,
      headers: { 'X-AnchorMailbox': `APP:${EXO_APP_ANCHOR_MAILBOX}@${this.options.tenantId}`, Prefer: 'odata.maxpagesize=1000' },
      body: { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } },
    });
  }

  private invokePath(): string {
    return `adminapi/beta/${encodeURIComponent(this.options.tenantId)}/InvokeCommand`;
  }

  /** Exchange attaches warnings to successful answers; each distinct one is logged once. */
  private noteWarnings(cmdlet: string, body: unknown): void {
    const warnings = (body as { '@adminapi.warnings'?: unknown } | undefined)?.['@adminapi.warnings'];
    if (!Array.isArray(warnings)) return;
    for (const warning of warnings.map(String)) {
      const key = `${cmdlet}\n${warning}`;
      if (this.warned.has(key) || this.warned.size >= MAX_WARNINGS_REMEMBERED) continue;
      this.warned.add(key);
      this.options.logger.warn('Exchange Online answered with a warning', { cmdlet, warning });
    }
  }
}

/** A Set- cmdlet that did its work answers `{"value":[]}`; warnings alone (or no JSON) say it may not have. */
function setAnswer(response: JsonResponse): SubmitAnswer {
  const body = page.safeParse(response.body);
  const raw = (response.body as { '@adminapi.warnings'?: unknown } | undefined)?.['@adminapi.warnings'];
  const warnings = Array.isArray(raw) ? raw.map(String) : [];
  if (body.success && warnings.length === 0) return {};
  const said = warnings.length ? `with warnings: ${warnings.join('; ').slice(0, 300)}` : `HTTP ${response.status} without the cmdlet's result`;
  return { anomaly: `Exchange Online answered ${said}` };
}

function isSuccess(response: JsonResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** CustomerLockBoxEnabled, whatever the case of its name; PowerShell may serialise the boolean as text. */
function customerLockboxEnabled(config: unknown): boolean | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const entry = Object.entries(config).find(([k]) => k.toLowerCase() === 'customerlockboxenabled');
  const value: unknown = entry?.[1];
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}
