import { randomInt, randomUUID } from 'node:crypto';

export const SUPPORT_STATUSES = ['Open', 'Updating', 'Closed'] as const;
export type SupportStatus = (typeof SUPPORT_STATUSES)[number];
export const SUPPORT_SEVERITIES = ['minimal', 'moderate', 'critical', 'highestcriticalimpact'] as const;
export type SupportSeverity = (typeof SUPPORT_SEVERITIES)[number];

export interface SupportTicketRecord {
  seq: number;
  /** The resource name, the last segment of the ticket's ARM id. */
  name: string;
  subscriptionId: string;
  supportTicketId: string;
  title: string;
  description: string;
  status: SupportStatus;
  severity: SupportSeverity;
  createdDate: string;
  modifiedDate: string;
  firstName: string;
  lastName: string;
  primaryEmailAddress: string;
  serviceDisplayName: string;
}

export type NewSupportTicket = Partial<Omit<SupportTicketRecord, 'seq' | 'subscriptionId' | 'modifiedDate'>> & { subscriptionId: string };

const SERVICE_GUID = '6f16735c-1530-836f-e997-0f1a2e4947b7';

/** Cases of the simulated organisation, as the Azure Support API keeps them per subscription. */
export class SupportDesk {
  private readonly tickets: SupportTicketRecord[] = [];
  private readonly unreadable = new Set<string>();
  private lookUpAllowed = true;
  private nextSeq = 1;

  constructor(private readonly clock: () => Date) {}

  create(input: NewSupportTicket): SupportTicketRecord {
    const now = this.clock().toISOString();
    const created = input.createdDate ?? now;
    const supportTicketId = input.supportTicketId ?? `${created.slice(2, 10).replace(/-/g, '')}${String(randomInt(1_000_000_000, 10_000_000_000))}`;
    if (this.bySupportTicketId(supportTicketId)) throw new Error(`Support case ${supportTicketId} exists already`);
    const record: SupportTicketRecord = {
      seq: this.nextSeq++,
      name: input.name ?? randomUUID(),
      subscriptionId: input.subscriptionId,
      supportTicketId,
      title: input.title ?? 'VM restarts unexpectedly',
      description: input.description ?? 'The virtual machine restarts several times a day without a reason in the guest logs.',
      status: input.status ?? 'Open',
      severity: input.severity ?? 'moderate',
      createdDate: created,
      modifiedDate: now,
      firstName: input.firstName ?? 'Dana',
      lastName: input.lastName ?? 'Smith',
      primaryEmailAddress: input.primaryEmailAddress ?? 'dana.smith@contoso.example',
      serviceDisplayName: input.serviceDisplayName ?? 'Virtual Machine running Linux',
    };
    this.tickets.push(record);
    return { ...record };
  }

  list(subscriptionId: string, filter: { since?: { at: number; inclusive: boolean }; status?: string } = {}): SupportTicketRecord[] {
    return this.tickets
      .filter((t) => same(t.subscriptionId, subscriptionId))
      .filter((t) => !filter.status || same(t.status, filter.status))
      .filter((t) => !filter.since || (filter.since.inclusive ? Date.parse(t.createdDate) >= filter.since.at : Date.parse(t.createdDate) > filter.since.at))
      .map((t) => ({ ...t }));
  }

  all(): SupportTicketRecord[] {
    return this.tickets.map((t) => ({ ...t }));
  }

  get(subscriptionId: string, name: string): SupportTicketRecord | undefined {
    const found = this.tickets.find((t) => same(t.subscriptionId, subscriptionId) && same(t.name, name));
    return found && { ...found };
  }

  bySupportTicketId(supportTicketId: string): SupportTicketRecord | undefined {
    const found = this.tickets.find((t) => t.supportTicketId === supportTicketId);
    return found && { ...found };
  }

  setStatus(supportTicketId: string, status: SupportStatus): SupportTicketRecord | undefined {
    const found = this.tickets.find((t) => t.supportTicketId === supportTicketId);
    if (!found) return undefined;
    found.status = status;
    found.modifiedDate = this.clock().toISOString();
    return { ...found };
  }

  /** Without read access to a subscription's cases (no Reader there) the Support API answers 403. */
  setReadable(subscriptionId: string, readable: boolean): void {
    if (readable) this.unreadable.delete(subscriptionId.toLowerCase());
    else this.unreadable.add(subscriptionId.toLowerCase());
  }

  canRead(subscriptionId: string): boolean {
    return !this.unreadable.has(subscriptionId.toLowerCase());
  }

  /** lookUpResourceId is a tenant-level action (Microsoft.Support/lookUpResourceId/action) that Reader does not grant. */
  setLookUpAllowed(allowed: boolean): void {
    this.lookUpAllowed = allowed;
  }

  canLookUp(): boolean {
    return this.lookUpAllowed;
  }
}

export function ticketResourceId(record: SupportTicketRecord): string {
  return `/subscriptions/${record.subscriptionId}/providers/Microsoft.Support/supportTickets/${record.name}`;
}

/** The wire shape of GetSubscriptionSupportTicketDetails.json (api-version 2024-04-01). */
export function toArmTicket(record: SupportTicketRecord) {
  const sla = new Date(Date.parse(record.createdDate) + 240 * 60_000).toISOString();
  return {
    id: ticketResourceId(record),
    name: record.name,
    type: 'Microsoft.Support/supportTickets',
    properties: {
      supportTicketId: record.supportTicketId,
      description: record.description,
      problemClassificationId: `/providers/Microsoft.Support/services/${SERVICE_GUID}/problemClassifications/${SERVICE_GUID}`,
      problemClassificationDisplayName: 'Virtual machine restarts or stops unexpectedly',
      severity: record.severity,
      require24X7Response: false,
      advancedDiagnosticConsent: 'Yes',
      supportPlanId: Buffer.from(`Source:SCM,SubscriptionId:${record.subscriptionId}`).toString('base64'),
      fileWorkspaceName: record.name,
      contactDetails: {
        firstName: record.firstName,
        lastName: record.lastName,
        preferredContactMethod: 'email',
        primaryEmailAddress: record.primaryEmailAddress,
        preferredTimeZone: 'W. Europe Standard Time',
        country: 'NLD',
        preferredSupportLanguage: 'en-US',
      },
      serviceLevelAgreement: { startTime: record.createdDate, expirationTime: sla, slaMinutes: 240 },
      supportEngineer: { emailAddress: 'support.engineer@microsoft.example' },
      supportPlanType: 'Premier',
      supportPlanDisplayName: 'Premier',
      title: record.title,
      serviceId: `/providers/Microsoft.Support/services/${SERVICE_GUID}`,
      serviceDisplayName: record.serviceDisplayName,
      status: record.status,
      createdDate: record.createdDate,
      modifiedDate: record.modifiedDate,
    },
  };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
