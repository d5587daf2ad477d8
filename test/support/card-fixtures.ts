/*
 * Requests in every state a person can meet on a card, with long, realistic values (the phone is where
 * they hurt). Shared by the card tests and the browser suite that renders them.
 */
import type { Actor, Decision } from '../../src/domain/decision';
import type { LockboxRequest } from '../../src/domain/request';
import type { TrackedRequest } from '../../src/domain/tracked';

export const NOW = new Date('2026-03-14T09:30:00Z');
export const TENANT = '00000000-0000-4000-8000-000000000001';
export const SUBSCRIPTION = '7d1c2a4e-5b3f-4c8d-9e6a-1f2b3c4d5e6f';
export const ALEX: Actor = { aadObjectId: '00000000-0000-4000-8000-000000000020', tenantId: TENANT, name: 'Alex Wilber', userPrincipalName: 'alexw@contoso.example' };
export const MEGAN: Actor = { aadObjectId: '00000000-0000-4000-8000-000000000021', tenantId: TENANT, name: 'Megan Bowen', userPrincipalName: 'meganb@contoso.example' };
export const at = (minutesFromNow: number) => new Date(NOW.getTime() + minutesFromNow * 60_000).toISOString();

/** Everyone the card went to: the reader (Alex) and six others, two of them without a known name. */
export const ASKED = [
  { userId: ALEX.aadObjectId, name: 'Alex Wilber' },
  { userId: MEGAN.aadObjectId, name: 'Megan Bowen' },
  { userId: '00000000-0000-4000-8000-000000000023', name: 'Isaiah Langer' },
  { userId: '00000000-0000-4000-8000-000000000024', name: 'Johanna Lorenz-Wittgenstein' },
  { userId: '00000000-0000-4000-8000-000000000025', name: 'Pradeep Gupta' },
  { userId: '00000000-0000-4000-8000-000000000026' },
  { userId: '00000000-0000-4000-8000-000000000027' },
];

export function azure(overrides: Partial<LockboxRequest> = {}, tracked: Partial<TrackedRequest> = {}): TrackedRequest {
  const request: LockboxRequest = {
    source: 'azure',
    requestId: '8c2f4b1e-7a3d-4e9f-b6c5-2d1e0f9a8b7c',
    subscriptionId: SUBSCRIPTION,
    subscriptionName: 'Payments-Prod-WestEurope-Finance',
    status: 'Pending',
    justification:
      'Case 2603140010004521: the customer reports that VM-SQL-PROD-WESTEUROPE-01 stopped answering after planned maintenance. ' +
      'The engineer needs to read boot diagnostics and the serial console log to find out why the guest OS does not start.',
    resourceIds: [
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/RG-FINANCE-PRODUCTION-WESTEUROPE/providers/Microsoft.Compute/virtualMachines/VM-SQL-PROD-WESTEUROPE-01`,
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/RG-FINANCE-PRODUCTION-WESTEUROPE/providers/Microsoft.Storage/storageAccounts/stfinancediagweu001`,
    ],
    resourceType: 'Virtual Machine',
    supportRequest: '2603140010004521',
    supportCaseUrl: `https://support.example/cases/2603140010004521`,
    accessLevel: 'Read',
    durationHours: 8,
    createdAt: at(-95),
    expiresAt: at(4 * 24 * 60 - 95),
    raw: {},
    ...overrides,
  };
  return { key: `azure:${SUBSCRIPTION}:${request.requestId}`, request, asked: ASKED, firstSeenAt: at(-94), updatedAt: at(-1), ...tracked };
}

export function m365(overrides: Partial<LockboxRequest> = {}, tracked: Partial<TrackedRequest> = {}): TrackedRequest {
  return azure(
    {
      source: 'm365',
      requestId: 'EXSR2603140010004521',
      subscriptionId: undefined,
      subscriptionName: undefined,
      resourceIds: ['adele.vance@contoso.example', 'Finance-Quarterly-Close@contoso.example'],
      resourceType: 'Exchange',
      requester: 'Microsoft Support Engineer (Exchange Online escalation team, EMEA)',
      supportCaseUrl: undefined,
      accessLevel: undefined,
      durationHours: undefined,
      durationText: 'Support request lifetime',
      expiresAt: at(12 * 60 - 95),
      ...overrides,
    },
    { key: 'm365:tenant:EXSR2603140010004521', ...tracked },
  );
}

export function decision(verdict: 'approve' | 'reject', state: Decision['submission']['state'], extra: Partial<Decision> = {}): Decision {
  return {
    verdict,
    actor: ALEX,
    comment:
      verdict === 'approve'
        ? 'Checked with the on-call engineer: case 2603140010004521 is ours, and read access for 8 hours is enough.'
        : 'Nobody here opened this case; please open one through the portal first.',
    decidedAt: at(-2),
    roles: ['Customer LockBox Access Approver'],
    submission: { state, attempts: 1, ...(state === 'submitted' ? { upstreamStatus: verdict === 'approve' ? 'Approved' : 'Denied', completedAt: at(-1) } : {}) },
    ...extra,
  };
}

/** Every state of the request card, as the tests name them. */
export const STATES = {
  pending: () => azure(),
  'pending-m365': () => m365(),
  urgent: () => azure({ createdAt: at(-4 * 24 * 60 + 40), expiresAt: at(40) }),
  soon: () => azure({ createdAt: at(-3 * 24 * 60 - 12 * 60), expiresAt: at(12 * 60) }),
  'first-of-two': () => azure({}, { firstApproval: { actor: MEGAN, comment: 'Looks right to me.', at: at(-10), roles: ['Owner'] } }),
  sending: () => azure({}, { decision: decision('approve', 'pending') }),
  approved: () => azure({ status: 'Approved' }, { decision: decision('approve', 'submitted') }),
  'approved-by-two': () => azure({ status: 'Approved' }, { decision: decision('approve', 'submitted', { firstApproval: { actor: MEGAN, comment: '', at: at(-10), roles: ['Owner'] } }) }),
  rejected: () => azure({ status: 'Denied' }, { decision: decision('reject', 'submitted') }),
  'approved-m365': () => m365({ status: 'Approved' }, { decision: decision('approve', 'submitted') }),
  failed: () =>
    azure({}, { decision: decision('approve', 'failed', { submission: { state: 'failed', attempts: 5, lastError: 'Azure answered 409 Conflict: RequestNotInPendingState, the request changed while the decision was on its way' } }) }),
  expired: () => azure({ createdAt: at(-5 * 24 * 60), expiresAt: at(-24 * 60) }),
  gone: () => azure({}, { goneAt: at(-30) }),
} satisfies Record<string, () => TrackedRequest>;
