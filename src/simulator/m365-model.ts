/**
 * Microsoft 365 Customer Lockbox requests as Exchange Online keeps them. The cmdlet output is not
 * documented: the shape below is our best reading (see test/fixtures/m365/README.md). Documented:
 * RequestId is a reference number like EXSR123456, ApprovalStatus takes Approved, Canceled, Denied,
 * Pending, ServiceName takes EOP, Exchange, SharePoint, Teams, and a request expires after 12 hours.
 */
export const M365_STATUSES = ['Pending', 'Approved', 'Denied', 'Canceled', 'Expired'] as const;
export type M365Status = (typeof M365_STATUSES)[number];

/** What -ApprovalStatus accepts (Get-AccessToCustomerDataRequest help). */
export const M365_STATUS_FILTERS = ['Approved', 'Canceled', 'Denied', 'Pending'] as const;

/** -ApprovalDecision of Set-AccessToCustomerDataRequest. */
export const M365_DECISIONS = ['Approve', 'Deny', 'Cancel'] as const;
export type M365Decision = (typeof M365_DECISIONS)[number];

/** -ServiceName of Set-AccessToCustomerDataRequest. */
export const M365_SERVICES = ['EOP', 'Exchange', 'SharePoint', 'Teams'] as const;
export type M365Service = (typeof M365_SERVICES)[number];

/** Microsoft 365 requests expire when nobody acts within 12 hours. */
export const M365_REQUEST_LIFETIME_MS = 12 * 60 * 60 * 1000;

export interface M365RecordedDecision {
  decision: M365Decision;
  comment: string;
  at: string;
}

export interface M365RequestRecord {
  /** Insertion order, for stable paging. */
  seq: number;
  /** The object's GUID (the audit log names a request by GUID). */
  identity: string;
  /** The reference number the cmdlets take, e.g. EXSR123456. */
  requestId: string;
  approvalStatus: M365Status;
  createdTime: string;
  expiryTime: string;
  serviceName: M365Service;
  requestor: string;
  comment: string;
  resources: string[];
  supportTicketId: string;
  accessDurationHours: number;
  decisions: M365RecordedDecision[];
}

/** EXO REST writes System.DateTime with seven fractional digits. */
export function exoDateTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function hours(value: number): string {
  const h = Math.floor(value);
  const m = Math.round((value - h) * 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
}

/** One record as Get-AccessToCustomerDataRequest would output it over the admin API (assumed shape). */
export function toExoRecord(record: M365RequestRecord): Record<string, unknown> {
  return {
    Identity: record.identity,
    RequestId: record.requestId,
    ApprovalStatus: record.approvalStatus,
    ServiceName: record.serviceName,
    'CreatedTime@data.type': 'System.DateTime',
    CreatedTime: exoDateTime(record.createdTime),
    'ExpiryTime@data.type': 'System.DateTime',
    ExpiryTime: exoDateTime(record.expiryTime),
    Requestor: record.requestor,
    Comment: record.comment,
    'Resources@odata.type': '#Collection(String)',
    Resources: [...record.resources],
    SupportTicketId: record.supportTicketId,
    'AccessDuration@data.type': 'System.TimeSpan',
    AccessDuration: hours(record.accessDurationHours),
    IsValid: true,
    ObjectState: 'Unchanged',
  };
}

function matchIn<T extends string>(values: readonly T[], value: string): T | undefined {
  return values.find((v) => v.toLowerCase() === value.toLowerCase());
}

export const matchM365Status = (value: string): M365Status | undefined => matchIn(M365_STATUSES, value);
export const matchM365Decision = (value: string): M365Decision | undefined => matchIn(M365_DECISIONS, value);
export const matchM365Service = (value: string): M365Service | undefined => matchIn(M365_SERVICES, value);

export function decisionStatus(decision: M365Decision): M365Status {
  return decision === 'Approve' ? 'Approved' : decision === 'Deny' ? 'Denied' : 'Canceled';
}
