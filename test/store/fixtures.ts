import type { Decision, SubmissionState } from '../../src/domain/decision';
import type { AuditEntry, CardCopy, Conversation } from '../../src/domain/ports';
import { requestKey, type LockboxRequest } from '../../src/domain/request';
import type { TrackedRequest } from '../../src/domain/tracked';

type RequestOverrides = Partial<Omit<TrackedRequest, 'request'>> & { request?: Partial<LockboxRequest> };

/** A tracked Azure request, Pending unless overridden; the key follows the request's ids unless given. */
export function makeRequest(overrides: RequestOverrides = {}): TrackedRequest {
  const request: LockboxRequest = {
    source: 'azure',
    requestId: 'req-1',
    subscriptionId: 'sub-1',
    status: 'Pending',
    justification: 'Investigate a failing deployment',
    resourceIds: ['/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1'],
    createdAt: '2025-01-01T10:00:00.000Z',
    expiresAt: '2025-01-05T10:00:00.000Z',
    raw: { name: 'req-1', properties: { nested: [1, 'two', null] } },
    ...overrides.request,
  };
  return {
    firstSeenAt: '2025-01-01T10:01:00.000Z',
    updatedAt: '2025-01-01T10:01:00.000Z',
    ...overrides,
    key: overrides.key ?? requestKey(request),
    request,
  };
}

/** A decision whose upstream submission is in `state`. */
export function makeDecision(state: SubmissionState, overrides: Partial<Decision> = {}): Decision {
  return {
    verdict: 'approve',
    actor: { aadObjectId: 'user-a', tenantId: 'tenant-1', name: 'Ada' },
    comment: 'Looks fine',
    decidedAt: '2025-01-01T11:00:00.000Z',
    roles: ['Azure Customer Lockbox Approver for Subscription'],
    submission: { state, attempts: state === 'pending' ? 0 : 1 },
    ...overrides,
  };
}

export function makeConversation(userId: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    userId,
    tenantId: 'tenant-1',
    conversationId: `conv-${userId}`,
    name: `Person ${userId}`,
    reference: { serviceUrl: 'https://smba.example/', conversation: { id: `conv-${userId}` }, extra: [true, 2] },
    updatedAt: '2025-01-01T09:00:00.000Z',
    ...overrides,
  };
}

/** A claim on posting a card: no activity yet. */
export function makeClaim(requestKey: string, userId: string): CardCopy {
  return { requestKey, userId, conversationId: `conv-${userId}` };
}

export function makeAudit(kind: AuditEntry['kind'], overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { at: '2025-01-01T12:00:00.000Z', kind, requestKey: 'azure:sub-1:req-1', detail: {}, ...overrides };
}
