import type { Verdict } from '../../src/domain/decision';
import { DeliveryFailed, DirectoryUnavailable, UpstreamError } from '../../src/domain/errors';
import type { AppInstaller, Clock, Conversation, Directory, InstallOutcome, LockboxSource, Messenger, RoleCheck, SourceListing } from '../../src/domain/ports';
import type { LockboxRequest } from '../../src/domain/request';
import type { Milestone } from '../../src/domain/escalation';
import type { Notifier } from '../../src/domain/notifications';
import type { TrackedRequest } from '../../src/domain/tracked';

/** Ports implemented in memory, for the domain's unit tests. The HTTP adapters are tested against the simulator instead. */

export class FixedClock implements Clock {
  constructor(public current = new Date('2026-11-28T09:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function pendingRequest(overrides: Partial<LockboxRequest> = {}): LockboxRequest {
  return {
    source: 'azure',
    requestId: 'b1f2c3d4-0000-4000-8000-000000000001',
    subscriptionId: 'sub-1',
    status: 'Pending',
    justification: 'Troubleshooting a VM',
    resourceIds: ['SUBSCRIPTIONS/sub-1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1'],
    createdAt: '2026-11-28T08:00:00.000Z',
    expiresAt: '2026-12-02T08:00:00.000Z',
    raw: {},
    ...overrides,
  };
}

export class FakeSource implements LockboxSource {
  readonly kind = 'azure' as const;
  requests = new Map<string, LockboxRequest>();
  submissions: { requestId: string; verdict: Verdict; reason: string }[] = [];
  /** Errors to throw from the next calls to submitDecision, in order. */
  submitErrors: Error[] = [];
  listError?: Error;
  /** Lets a test hold the upstream call open. */
  submitGate?: Promise<void>;

  enabled = true;
  async isEnabled(): Promise<boolean> {
    return this.enabled;
  }
  async setEnabled(enabled: boolean): Promise<void> {
    this.enabled = enabled;
  }

  add(request: LockboxRequest): void {
    this.requests.set(request.requestId, request);
  }
  async listPending(): Promise<SourceListing> {
    if (this.listError) throw this.listError;
    return { requests: [...this.requests.values()].filter((r) => r.status === 'Pending'), failures: [] };
  }
  async getRequest(request: LockboxRequest) {
    return this.requests.get(request.requestId);
  }
  async submitDecision(request: LockboxRequest, verdict: Verdict, reason: string) {
    await this.submitGate;
    const error = this.submitErrors.shift();
    if (error) throw error;
    const current = this.requests.get(request.requestId);
    if (current && current.status !== 'Pending') return { upstreamStatus: current.status };
    this.submissions.push({ requestId: request.requestId, verdict, reason });
    const status = verdict === 'approve' ? 'Approved' : 'Denied';
    if (current) this.requests.set(request.requestId, { ...current, status });
    return {};
  }
}

export class FakeDirectory implements Directory {
  approvers = new Set<string>();
  down = false;
  checks = 0;

  async checkApprover(userId: string): Promise<RoleCheck> {
    this.checks++;
    if (this.down) throw new DirectoryUnavailable('Graph answered HTTP 503');
    const allowed = this.approvers.has(userId);
    return { allowed, heldRoles: allowed ? ['Global Administrator'] : [], requiredRoles: ['Global Administrator'] };
  }
  admins = new Set<string>();
  async checkAdmin(userId: string): Promise<RoleCheck> {
    this.checks++;
    if (this.down) throw new DirectoryUnavailable('Graph answered HTTP 503');
    const allowed = this.admins.has(userId);
    return { allowed, heldRoles: allowed ? ['Global Administrator'] : [], requiredRoles: ['Global Administrator'] };
  }
  async listApprovers(): Promise<string[]> {
    return [...this.approvers];
  }
  async lookupUser() {
    return undefined;
  }
}

export class RecordingMessenger implements Messenger {
  posts: { userId: string; key: string; activityId: string }[] = [];
  updates: { userId: string; activityId: string; state: TrackedRequest }[] = [];
  failPostsFor = new Set<string>();
  private next = 1;

  async postRequestCard(conversation: Conversation, request: TrackedRequest): Promise<string> {
    if (this.failPostsFor.has(conversation.userId)) throw new DeliveryFailed('502 from the connector', 'no', 502);
    const activityId = `activity-${this.next++}`;
    this.posts.push({ userId: conversation.userId, key: request.key, activityId });
    return activityId;
  }
  async updateRequestCard(conversation: Conversation, activityId: string, request: TrackedRequest): Promise<void> {
    this.updates.push({ userId: conversation.userId, activityId, state: request });
  }
}

export class RecordingNotifier implements Notifier {
  batchSize = 100;
  sent: { userIds: string[]; requestKey: string; milestone: string }[] = [];
  failNext = 0;
  async notify(userIds: string[], tracked: TrackedRequest, milestone: Milestone): Promise<void> {
    if (this.failNext > 0 && this.failNext--) throw new Error('Graph answered HTTP 503');
    this.sent.push({ userIds: [...userIds].sort(), requestKey: tracked.key, milestone: milestone.id });
  }
}

export class FakeInstaller implements AppInstaller {
  installs: string[] = [];
  outcome: InstallOutcome = 'requested';
  async install(userId: string): Promise<InstallOutcome> {
    this.installs.push(userId);
    return this.outcome;
  }
}

export function conversationOf(userId: string): Conversation {
  return { userId, tenantId: 'tenant-1', conversationId: `a:${userId}`, reference: { conversation: { id: `a:${userId}` } }, updatedAt: '2026-11-28T08:00:00.000Z' };
}

export const transientFailure = () => new UpstreamError('HTTP 500', true, 500);
export const permanentFailure = () => new UpstreamError('HTTP 403: forbidden', false, 403);
