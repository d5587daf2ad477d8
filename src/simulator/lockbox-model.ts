/** LockboxRequestStatus in the API description. */
export const LOCKBOX_STATUSES = [
  'Initializing', 'Pending', 'Approving', 'Denying', 'Approved', 'Denied', 'Expired',
  'Revoking', 'Revoked', 'Error', 'Unknown', 'Completed', 'Completing',
] as const;
export type LockboxStatus = (typeof LOCKBOX_STATUSES)[number];

/** Approval.status in the API description. */
export const APPROVAL_DECISIONS = ['Approve', 'Deny'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

export interface RecordedDecision {
  status: ApprovalDecision;
  reason: string;
  at: string;
}

/** The simulator's stored form of a request: the wire properties plus bookkeeping. */
export interface LockboxRequestRecord {
  /** Insertion order; list order and page tokens follow it so paging is stable while requests are added. */
  seq: number;
  requestId: string;
  /**
   * Absent for a tenant-scoped request. Azure has no list endpoint and no updateApproval for those, so no
   * subscription's routes return or decide one; only the portal shows it.
   */
  subscriptionId?: string;
  justification: string;
  status: LockboxStatus;
  createdDateTime: string;
  expirationDateTime: string;
  duration: string;
  resourceIds: string;
  resourceType: string;
  supportRequest: string;
  supportCaseUrl: string;
  workitemsource: string;
  accessLevel?: string;
  decisions: RecordedDecision[];
}

export interface ArmLockboxRequest {
  id: string;
  name: string;
  type: 'requests';
  properties: {
    requestId: string;
    justification: string;
    status: LockboxStatus;
    createdDateTime: string;
    expirationDateTime: string;
    duration: string;
    resourceIds: string;
    resourceType: string;
    supportRequest: string;
    supportCaseUrl: string;
    workitemsource: string;
    subscriptionId?: string;
    accessLevel?: string;
  };
}

/** The newest wire shape, as in examples/Requests_List.json. */
export function toArmRequest(record: LockboxRequestRecord): ArmLockboxRequest {
  const properties: ArmLockboxRequest['properties'] = {
    requestId: record.requestId,
    justification: record.justification,
    status: record.status,
    createdDateTime: record.createdDateTime,
    expirationDateTime: record.expirationDateTime,
    duration: record.duration,
    resourceIds: record.resourceIds,
    resourceType: record.resourceType,
    supportRequest: record.supportRequest,
    supportCaseUrl: record.supportCaseUrl,
    workitemsource: record.workitemsource,
  };
  if (record.subscriptionId !== undefined) properties.subscriptionId = record.subscriptionId;
  if (record.accessLevel !== undefined) properties.accessLevel = record.accessLevel;
  // Unverified: the description requires subscriptionId and shows no tenant-scoped request; this one leaves it out and
  // takes the tenant-level path as its id. No list endpoint returns one, so the bot never reads this shape.
  const scope = record.subscriptionId === undefined ? '' : `/subscriptions/${record.subscriptionId}`;
  return {
    id: `${scope}/providers/Microsoft.CustomerLockbox/requests/${record.requestId}`,
    name: `LockboxRequest_${record.requestId}`,
    type: 'requests',
    properties,
  };
}

export function matchStatus(value: string): LockboxStatus | undefined {
  return LOCKBOX_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase());
}
