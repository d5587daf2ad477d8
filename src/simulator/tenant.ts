import { randomBytes, randomUUID } from 'node:crypto';
import type { ApprovalDecision, LockboxRequestRecord, LockboxStatus } from './lockbox-model';
import { generateM365Request, type NewM365RequestInput } from './m365-generator';
import { decisionStatus, type M365Decision, type M365RequestRecord, type M365Service, type M365Status } from './m365-model';
import { generateRequest, type NewRequestInput } from './request-generator';
import { DEFAULT_TEAMS_APP, type TenantSeed } from './seed';
import { SupportDesk } from './support-model';
import type { TenantState } from './tenant-state';
import { systemClock } from '../runtime/clock';

export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  /** Direct members: user or group object ids. */
  members: string[];
  /** Only such a group may hold a directory role. */
  isAssignableToRole: boolean;
}

/** A user or a group, with the order in which the directory created it (for stable paging). */
export type DirectoryObject =
  | { kind: 'user'; seq: number; user: DirectoryUser }
  | { kind: 'group'; seq: number; group: DirectoryGroup };

export interface DirectoryRoleAssignment {
  seq: number;
  id: string;
  /** A user or a (role-assignable) group. */
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: '/';
  /**
   * As roleAssignmentScheduleInstances tells them apart: 'Assigned', an active assignment (a permanent one
   * shows no start, as in Graph's own example), or 'Activated', a PIM activation that runs from its start
   * to its end (at most 8 hours).
   */
  assignmentType: 'Assigned' | 'Activated';
  startDateTime: string | null;
  endDateTime: string | null;
}

export interface AzureRoleAssignment {
  seq: number;
  /** The assignment's name (a GUID), the last segment of its ARM id. */
  name: string;
  subscriptionId: string;
  principalId: string;
  /** A user, or a group whose members (through nesting) hold the role, as ARM's assignedTo() follows them. */
  principalType: 'User' | 'Group';
  roleDefinitionId: string;
  createdOn: string;
  /**
   * Set for an assignment made at a management group above the subscription: ARM lists it for the
   * subscription with the management group as its scope (inherited, which Customer Lockbox does not count).
   */
  managementGroupId?: string;
}

/** The bot's app as the Teams app catalog lists it. */
export interface TeamsCatalogApp {
  id: string;
  externalId: string;
  displayName: string;
  distributionMethod: 'organization';
}

/** An app installed in a user's personal scope. */
export interface TeamsAppInstallation {
  seq: number;
  /** Opaque, not the catalog id: base64 of `{userId}##{teamsAppId}`. */
  id: string;
  userId: string;
  teamsAppId: string;
  installedAt: string;
}

export type InstallOutcome =
  | { outcome: 'installed'; installation: TeamsAppInstallation }
  | { outcome: 'already-installed'; installation: TeamsAppInstallation }
  | { outcome: 'unknown-user' }
  | { outcome: 'unknown-app' };

export type DecideOutcome =
  | { outcome: 'decided'; request: LockboxRequestRecord }
  | { outcome: 'not-found' }
  | { outcome: 'not-pending'; currentStatus: LockboxStatus };

export type CreateRequestInput = Omit<NewRequestInput, 'subscriptionId'> & { subscriptionId?: string };

export type M365DecideOutcome =
  | { outcome: 'decided'; request: M365RequestRecord }
  | { outcome: 'not-found' }
  | { outcome: 'not-pending'; currentStatus: M365Status }
  | { outcome: 'wrong-service'; serviceName: M365Service };

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const SEEDED_ROLE_AGE_MS = 365 * 24 * 3600_000;

/** In-memory state of one simulated tenant. No I/O: the HTTP routes only translate to and from it. */
export class SimulatedTenant {
  readonly tenantId: string;
  private lockboxEnabled: boolean;
  private m365LockboxEnabled: boolean;
  private readonly subscriptions: string[];
  private readonly subscriptionNames: Record<string, string>;
  private readonly users: DirectoryUser[];
  /** Users by lower-cased object id and userPrincipalName: a tenant of tens of thousands is looked up often. */
  private readonly userIndex = new Map<string, DirectoryUser>();
  private readonly groups: DirectoryGroup[];
  /** Creation order of every user and group, keyed by lower-cased id. */
  private readonly objectSeq = new Map<string, number>();
  private readonly teamsApp: TeamsCatalogApp;
  private installations: TeamsAppInstallation[] = [];
  private readonly requests = new Map<string, LockboxRequestRecord>();
  /** Microsoft 365 requests, keyed by lower-cased reference number; separate from the Azure ones. */
  private readonly m365Requests = new Map<string, M365RequestRecord>();
  private directoryAssignments: DirectoryRoleAssignment[] = [];
  private azureAssignments: AzureRoleAssignment[] = [];
  private nextSeq = 1;
  /** Whether Exchange lets the bot's app identity run Set-AccessToCustomerDataRequest; unproven in the real cloud. */
  private m365AppOnlyDecisions = true;
  /** The organisation's Azure support cases. */
  readonly support: SupportDesk;
  /** Called after every change, e.g. to save the state; never during construction. */
  onChange: () => void = () => undefined;
  /** No Pending request expires before this moment (ms), so expireDue need not look; forgotten whenever one may become Pending. */
  private noExpiryBefore = -Infinity;

  constructor(seed: TenantSeed, private readonly clock: () => Date = () => systemClock.now()) {
    this.support = new SupportDesk(clock);
    this.tenantId = seed.tenantId;
    this.lockboxEnabled = seed.lockboxEnabled ?? true;
    this.m365LockboxEnabled = seed.m365LockboxEnabled ?? true;
    this.subscriptions = [...seed.subscriptions];
    this.subscriptionNames = { ...seed.subscriptionNames };
    this.users = seed.users.map(({ id, displayName, userPrincipalName }) => ({ id, displayName, userPrincipalName }));
    for (const user of this.users) {
      this.userIndex.set(user.id.toLowerCase(), user);
      if (user.userPrincipalName) this.userIndex.set(user.userPrincipalName.toLowerCase(), user);
    }
    this.groups = (seed.groups ?? []).map(({ id, displayName, directoryRoles }) => ({
      id, displayName, members: [], isAssignableToRole: (directoryRoles ?? []).length > 0,
    }));
    for (const { id } of [...this.users, ...this.groups]) {
      if (this.objectSeq.has(id.toLowerCase())) throw new Error(`Seed: the id ${id} is used twice`);
      this.objectSeq.set(id.toLowerCase(), this.nextSeq++);
    }
    for (const seeded of seed.groups ?? []) {
      const group = this.groups.find((g) => same(g.id, seeded.id))!;
      // A seeded group can hold tens of thousands of users: they are checked by index, not one by one against the list.
      const present = new Set<string>();
      for (const member of seeded.members) {
        const object = this.findDirectoryObject(member);
        if (!object) throw new Error(`Seed: group ${seeded.id} has an unknown member ${member}`);
        if (present.has(member.toLowerCase())) continue;
        present.add(member.toLowerCase());
        if (object.kind === 'user') {
          group.members.push(member);
          continue;
        }
        try {
          this.addGroupMember(seeded.id, member);
        } catch (err) {
          throw new Error(`Seed: ${(err as Error).message}`);
        }
      }
    }
    const app = seed.teamsApp ?? DEFAULT_TEAMS_APP;
    this.teamsApp = { id: app.id, externalId: app.externalId, displayName: 'Lockbox Bot', distributionMethod: 'organization' };
    for (const user of seed.users) {
      for (const role of user.directoryRoles) this.grantDirectoryRole(user.id, role);
      // Seeded assignments were in place long before any request, as in a tenant that has been running a while.
      for (const role of user.azureRoles ?? []) this.grantAzureRole(role.subscriptionId, user.id, role.roleDefinitionId, role.createdOn ?? new Date(this.clock().getTime() - SEEDED_ROLE_AGE_MS).toISOString());
    }
    for (const group of seed.groups ?? []) for (const role of group.directoryRoles ?? []) this.grantDirectoryRole(group.id, role);
  }

  now(): Date {
    return this.clock();
  }

  // --- saved state ----------------------------------------------------------

  /** Everything that may change after the seed, to be saved across restarts. */
  saveState(): TenantState {
    return structuredClone({
      version: 1 as const,
      tenantId: this.tenantId,
      nextSeq: this.nextSeq,
      lockboxEnabled: this.lockboxEnabled,
      m365LockboxEnabled: this.m365LockboxEnabled,
      requests: [...this.requests.values()],
      m365Requests: [...this.m365Requests.values()],
      directoryAssignments: this.directoryAssignments,
      azureAssignments: this.azureAssignments,
      groupMembers: Object.fromEntries(this.groups.map((g) => [g.id, g.members])),
      installations: this.installations,
    });
  }

  /** Continues from a saved state of this tenant; groups the seed no longer has are left out. */
  restoreState(saved: TenantState): void {
    if (!same(saved.tenantId, this.tenantId)) throw new Error(`The saved state belongs to tenant ${saved.tenantId}, not ${this.tenantId}`);
    const state = structuredClone(saved);
    this.nextSeq = Math.max(this.nextSeq, state.nextSeq);
    this.lockboxEnabled = state.lockboxEnabled;
    this.m365LockboxEnabled = state.m365LockboxEnabled;
    this.noExpiryBefore = -Infinity;
    this.requests.clear();
    for (const record of state.requests) this.requests.set(record.requestId.toLowerCase(), record);
    this.m365Requests.clear();
    for (const record of state.m365Requests) this.m365Requests.set(record.requestId.toLowerCase(), record);
    this.directoryAssignments = state.directoryAssignments;
    this.azureAssignments = state.azureAssignments;
    for (const group of this.groups) group.members = state.groupMembers[group.id] ?? group.members;
    this.installations = state.installations;
  }

  // --- tenant ---------------------------------------------------------------

  isLockboxEnabled(): boolean {
    return this.lockboxEnabled;
  }

  setLockboxEnabled(enabled: boolean): void {
    this.lockboxEnabled = enabled;
    this.onChange();
  }

  listSubscriptions(): string[] {
    return [...this.subscriptions];
  }

  /** The display name ARM lists for the subscription. */
  subscriptionName(subscriptionId: string): string {
    const key = Object.keys(this.subscriptionNames).find((s) => same(s, subscriptionId));
    return key ? this.subscriptionNames[key]! : `Simulated subscription ${subscriptionId.slice(-4)}`;
  }

  /** ARM ids are case-insensitive; answers the canonical spelling. */
  findSubscription(subscriptionId: string): string | undefined {
    return this.subscriptions.find((s) => same(s, subscriptionId));
  }

  // --- lockbox requests -----------------------------------------------------

  createRequest(input: CreateRequestInput = {}): LockboxRequestRecord {
    const subscriptionId = input.subscriptionId === undefined ? this.subscriptions[0] : this.findSubscription(input.subscriptionId);
    if (subscriptionId === undefined) throw new Error(`Unknown subscription ${input.subscriptionId ?? '(none seeded)'}`);
    return this.addRequest(generateRequest({ ...input, subscriptionId }, this.clock()));
  }

  /** A tenant-scoped request: no subscription's listing, read or updateApproval reaches it, as in Azure. */
  createTenantRequest(input: Omit<CreateRequestInput, 'subscriptionId'> = {}): LockboxRequestRecord {
    return this.addRequest(generateRequest({ ...input, subscriptionId: undefined }, this.clock()));
  }

  private addRequest(generated: ReturnType<typeof generateRequest>): LockboxRequestRecord {
    if (this.findRequest(generated.requestId)) throw new Error(`Request ${generated.requestId} exists already`);
    const record: LockboxRequestRecord = { ...generated, seq: this.nextSeq++, decisions: [] };
    this.requests.set(record.requestId.toLowerCase(), record);
    this.noExpiryBefore = -Infinity;
    this.expireDue();
    this.onChange();
    return structuredClone(record);
  }

  /** Requests of one subscription (or all) in creation order, optionally of one status. */
  listRequests(filter: { subscriptionId?: string; status?: LockboxStatus } = {}): LockboxRequestRecord[] {
    this.expireDue();
    return [...this.requests.values()]
      .filter((r) => filter.subscriptionId === undefined || (r.subscriptionId !== undefined && same(r.subscriptionId, filter.subscriptionId)))
      .filter((r) => filter.status === undefined || r.status === filter.status)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => structuredClone(r));
  }

  getRequest(requestId: string, subscriptionId?: string): LockboxRequestRecord | undefined {
    this.expireDue();
    const record = this.findRequest(requestId, subscriptionId);
    return record && structuredClone(record);
  }

  decide(subscriptionId: string, requestId: string, status: ApprovalDecision, reason: string): DecideOutcome {
    this.expireDue();
    const record = this.findRequest(requestId, subscriptionId);
    if (!record) return { outcome: 'not-found' };
    if (record.status !== 'Pending') return { outcome: 'not-pending', currentStatus: record.status };
    record.status = status === 'Approve' ? 'Approved' : 'Denied';
    record.decisions.push({ status, reason, at: this.clock().toISOString() });
    this.onChange();
    return { outcome: 'decided', request: structuredClone(record) };
  }

  /** A change made outside the API, e.g. an approval in the portal. */
  setRequestStatus(requestId: string, status: LockboxStatus): LockboxRequestRecord | undefined {
    const record = this.findRequest(requestId);
    if (!record) return undefined;
    record.status = status;
    this.noExpiryBefore = -Infinity;
    this.onChange();
    return structuredClone(record);
  }

  private findRequest(requestId: string, subscriptionId?: string): LockboxRequestRecord | undefined {
    const record = this.requests.get(requestId.toLowerCase());
    if (!record || (subscriptionId !== undefined && (record.subscriptionId === undefined || !same(record.subscriptionId, subscriptionId)))) return undefined;
    return record;
  }

  /** Nobody acted within the lifetime: upstream reports such a request as Expired. */
  private expireDue(): void {
    const now = this.clock().getTime();
    if (now < this.noExpiryBefore) return;
    let expired = false;
    let next = Infinity;
    const due = (expiresAt: string): boolean => {
      const at = Date.parse(expiresAt);
      if (at <= now) return true;
      if (at < next) next = at;
      return false;
    };
    for (const record of this.requests.values()) {
      if (record.status === 'Pending' && due(record.expirationDateTime)) [record.status, expired] = ['Expired', true];
    }
    for (const record of this.m365Requests.values()) {
      if (record.approvalStatus === 'Pending' && due(record.expiryTime)) [record.approvalStatus, expired] = ['Expired', true];
    }
    this.noExpiryBefore = next;
    if (expired) this.onChange();
  }

  // --- Microsoft 365 lockbox (Exchange Online) ------------------------------

  /** Get-OrganizationConfig's CustomerLockBoxEnabled. */
  isM365LockboxEnabled(): boolean {
    return this.m365LockboxEnabled;
  }

  setM365LockboxEnabled(enabled: boolean): void {
    this.m365LockboxEnabled = enabled;
    this.onChange();
  }

  allowsM365AppOnlyDecisions(): boolean {
    return this.m365AppOnlyDecisions;
  }

  setM365AppOnlyDecisions(allowed: boolean): void {
    this.m365AppOnlyDecisions = allowed;
  }

  /** Throws when the reference number is taken. */
  createM365Request(input: NewM365RequestInput = {}): M365RequestRecord {
    let generated = generateM365Request(input, this.clock());
    // Generated reference numbers may collide; a given one may not.
    for (let tries = 0; input.requestId === undefined && this.m365Requests.has(generated.requestId.toLowerCase()) && tries < 20; tries++) {
      generated = generateM365Request(input, this.clock());
    }
    if (this.m365Requests.has(generated.requestId.toLowerCase())) throw new Error(`Request ${generated.requestId} exists already`);
    const record: M365RequestRecord = { ...generated, seq: this.nextSeq++, decisions: [] };
    this.m365Requests.set(record.requestId.toLowerCase(), record);
    this.noExpiryBefore = -Infinity;
    this.expireDue();
    this.onChange();
    return structuredClone(record);
  }

  /** In creation order, optionally of one status and created after a moment. */
  listM365Requests(filter: { status?: M365Status; requestId?: string; createdAfter?: Date } = {}): M365RequestRecord[] {
    this.expireDue();
    return [...this.m365Requests.values()]
      .filter((r) => filter.status === undefined || r.approvalStatus === filter.status)
      .filter((r) => filter.requestId === undefined || same(r.requestId, filter.requestId))
      .filter((r) => filter.createdAfter === undefined || Date.parse(r.createdTime) > filter.createdAfter.getTime())
      .sort((a, b) => a.seq - b.seq)
      .map((r) => structuredClone(r));
  }

  getM365Request(requestId: string): M365RequestRecord | undefined {
    this.expireDue();
    const record = this.m365Requests.get(requestId.toLowerCase());
    return record && structuredClone(record);
  }

  decideM365(requestId: string, decision: M365Decision, comment: string, serviceName?: M365Service): M365DecideOutcome {
    this.expireDue();
    const record = this.m365Requests.get(requestId.toLowerCase());
    if (!record) return { outcome: 'not-found' };
    if (serviceName !== undefined && serviceName !== record.serviceName) return { outcome: 'wrong-service', serviceName: record.serviceName };
    if (record.approvalStatus !== 'Pending') return { outcome: 'not-pending', currentStatus: record.approvalStatus };
    record.approvalStatus = decisionStatus(decision);
    record.decisions.push({ decision, comment, at: this.clock().toISOString() });
    this.onChange();
    return { outcome: 'decided', request: structuredClone(record) };
  }

  /** A change made outside the API, e.g. in the Microsoft 365 admin center. */
  setM365RequestStatus(requestId: string, status: M365Status): M365RequestRecord | undefined {
    const record = this.m365Requests.get(requestId.toLowerCase());
    if (!record) return undefined;
    record.approvalStatus = status;
    this.noExpiryBefore = -Infinity;
    this.onChange();
    return structuredClone(record);
  }

  // --- directory ------------------------------------------------------------

  listUsers(): DirectoryUser[] {
    return this.users.map((u) => ({ ...u }));
  }

  /** Graph resolves a user by object id or by userPrincipalName. */
  findUser(idOrUpn: string): DirectoryUser | undefined {
    const user = this.userIndex.get(idOrUpn.toLowerCase());
    return user && { ...user };
  }

  /** Direct assignments only, as roleAssignments lists them. */
  listDirectoryRoleAssignments(filter: { principalId?: string; roleDefinitionId?: string } = {}): DirectoryRoleAssignment[] {
    return this.directoryAssignments
      .filter((a) => this.isActive(a))
      .filter((a) => filter.principalId === undefined || same(a.principalId, filter.principalId))
      .filter((a) => filter.roleDefinitionId === undefined || same(a.roleDefinitionId, filter.roleDefinitionId))
      .map((a) => ({ ...a }));
  }

  /**
   * The principal's own assignments and those of every group it is in, through nesting, in
   * creation order. An assignment held through a group keeps the group as its principalId, as
   * transitiveRoleAssignments answers.
   */
  listTransitiveDirectoryRoleAssignments(filter: { principalId: string; roleDefinitionId?: string }): DirectoryRoleAssignment[] {
    // By object id only, as Graph filters principalId.
    const id = [...this.users, ...this.groups].find((o) => same(o.id, filter.principalId))?.id;
    if (id === undefined) return [];
    const holders = new Set([id, ...this.groupsAbove(id)].map((h) => h.toLowerCase()));
    return this.directoryAssignments
      .filter((a) => this.isActive(a) && holders.has(a.principalId.toLowerCase()))
      .filter((a) => filter.roleDefinitionId === undefined || same(a.roleDefinitionId, filter.roleDefinitionId))
      .sort((a, b) => a.seq - b.seq)
      .map((a) => ({ ...a }));
  }

  /** Idempotent; throws for an unknown principal or a group that is not role-assignable. */
  grantDirectoryRole(principalId: string, roleTemplateId: string): DirectoryRoleAssignment {
    const id = this.requireRolePrincipal(principalId);
    const existing = this.directoryAssignments.find((a) => a.principalId === id && same(a.roleDefinitionId, roleTemplateId) && a.assignmentType === 'Assigned');
    if (existing) return { ...existing };
    return this.addDirectoryAssignment({ principalId: id, roleDefinitionId: roleTemplateId.toLowerCase(), assignmentType: 'Assigned', startDateTime: null, endDateTime: null });
  }

  /**
   * A PIM activation of an eligible role from `at` (default now) for `hours`: an active assignment whose
   * roleAssignmentScheduleInstance says when it started. Replaces an earlier activation of the same role.
   */
  activateDirectoryRole(principalId: string, roleTemplateId: string, at = this.clock(), hours = 8): DirectoryRoleAssignment {
    const id = this.requireRolePrincipal(principalId);
    this.directoryAssignments = this.directoryAssignments.filter((a) => !(a.principalId === id && same(a.roleDefinitionId, roleTemplateId) && a.assignmentType === 'Activated'));
    const end = new Date(at.getTime() + hours * 3_600_000);
    return this.addDirectoryAssignment({ principalId: id, roleDefinitionId: roleTemplateId.toLowerCase(), assignmentType: 'Activated', startDateTime: at.toISOString(), endDateTime: end.toISOString() });
  }

  /** Active assignments now, as roleAssignmentScheduleInstances lists them, in creation order. */
  listActiveDirectoryRoleInstances(filter: { principalId?: string; roleDefinitionId?: string } = {}): DirectoryRoleAssignment[] {
    return this.listDirectoryRoleAssignments(filter).sort((a, b) => a.seq - b.seq);
  }

  /** An activation that ended is no longer an assignment anywhere in Graph. */
  private isActive(a: DirectoryRoleAssignment): boolean {
    return a.endDateTime === null || Date.parse(a.endDateTime) > this.clock().getTime();
  }

  /** The groups the object is in, through nesting, as transitiveMemberOf lists them. */
  listGroupsAbove(objectId: string): DirectoryGroup[] {
    const above = this.groupsAbove(objectId);
    return this.groups.filter((g) => above.has(g.id)).map((g) => ({ ...g, members: [...g.members] }));
  }

  private addDirectoryAssignment(fields: Omit<DirectoryRoleAssignment, 'seq' | 'id' | 'directoryScopeId'>): DirectoryRoleAssignment {
    const assignment: DirectoryRoleAssignment = { seq: this.nextSeq++, id: `${randomBytes(24).toString('base64url')}-1`, directoryScopeId: '/', ...fields };
    this.directoryAssignments.push(assignment);
    this.onChange();
    return { ...assignment };
  }

  /** Answers whether the principal held the role directly. */
  revokeDirectoryRole(principalId: string, roleTemplateId: string): boolean {
    const id = this.requireRolePrincipal(principalId);
    const before = this.directoryAssignments.length;
    this.directoryAssignments = this.directoryAssignments.filter((a) => !(a.principalId === id && same(a.roleDefinitionId, roleTemplateId)));
    this.onChange();
    return this.directoryAssignments.length < before;
  }

  // --- groups ---------------------------------------------------------------

  listGroups(): DirectoryGroup[] {
    return this.groups.map((g) => ({ ...g, members: [...g.members] }));
  }

  findGroup(groupId: string): DirectoryGroup | undefined {
    const group = this.groups.find((g) => same(g.id, groupId));
    return group && { ...group, members: [...group.members] };
  }

  /** A user (by object id or userPrincipalName) or a group (by object id). */
  findDirectoryObject(idOrUpn: string): DirectoryObject | undefined {
    const user = this.findUser(idOrUpn);
    if (user) return { kind: 'user', seq: this.seqOf(user.id), user };
    const group = this.findGroup(idOrUpn);
    return group && { kind: 'group', seq: this.seqOf(group.id), group };
  }

  /**
   * Every user and group reached from the group's members through nesting, each once, in creation
   * order; the group itself never, even in a loop. Undefined for an unknown group.
   */
  listTransitiveMembers(groupId: string): DirectoryObject[] | undefined {
    const group = this.groups.find((g) => same(g.id, groupId));
    if (!group) return undefined;
    const seen = new Set<string>([group.id.toLowerCase()]);
    const found: DirectoryObject[] = [];
    const queue = [...group.members];
    for (let next = 0, id = queue[0]; id !== undefined; id = queue[++next]) {
      if (seen.has(id.toLowerCase())) continue;
      seen.add(id.toLowerCase());
      const object = this.findDirectoryObject(id);
      if (!object) continue;
      found.push(object);
      if (object.kind === 'group') queue.push(...object.group.members);
    }
    return found.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Answers whether it was a member already; throws for an unknown group or member, a group joining
   * itself, or a group joining a role-assignable group (Entra allows only users in those).
   */
  addGroupMember(groupId: string, memberId: string): boolean {
    const { group, member } = this.requireMembership(groupId, memberId);
    if (same(group.id, member)) throw new Error(`Group ${group.id} cannot be a member of itself`);
    if (group.isAssignableToRole && this.groups.some((g) => same(g.id, member))) {
      throw new Error(
        `Group ${member} cannot be a member of group ${group.id}: it is role-assignable, and Entra does not allow a group inside a role-assignable group`,
      );
    }
    if (group.members.some((m) => same(m, member))) return true;
    group.members.push(member);
    this.onChange();
    return false;
  }

  /** Answers whether it was a member. */
  removeGroupMember(groupId: string, memberId: string): boolean {
    const { group, member } = this.requireMembership(groupId, memberId);
    const before = group.members.length;
    group.members = group.members.filter((m) => !same(m, member));
    this.onChange();
    return group.members.length < before;
  }

  /** Ids of every group the object is in, directly or through nesting. */
  private groupsAbove(objectId: string): Set<string> {
    const found = new Set<string>();
    const queue = [objectId];
    for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
      for (const group of this.groups) {
        if (found.has(group.id) || !group.members.some((m) => same(m, current as string))) continue;
        found.add(group.id);
        queue.push(group.id);
      }
    }
    return found;
  }

  private requireMembership(groupId: string, memberId: string): { group: DirectoryGroup; member: string } {
    const group = this.groups.find((g) => same(g.id, groupId));
    if (!group) throw new Error(`Unknown group ${groupId}`);
    const object = this.findDirectoryObject(memberId);
    if (!object) throw new Error(`Unknown user or group ${memberId}`);
    return { group, member: object.kind === 'user' ? object.user.id : object.group.id };
  }

  private requireRolePrincipal(principalId: string): string {
    const user = this.users.find((u) => same(u.id, principalId));
    if (user) return user.id;
    const group = this.groups.find((g) => same(g.id, principalId));
    if (!group) throw new Error(`Unknown user or group ${principalId}`);
    if (!group.isAssignableToRole) throw new Error(`Group ${group.id} is not role-assignable`);
    return group.id;
  }

  private seqOf(objectId: string): number {
    return this.objectSeq.get(objectId.toLowerCase()) ?? Number.MAX_SAFE_INTEGER;
  }

  // --- Teams apps -----------------------------------------------------------

  /** The tenant app catalog: the bot's app only. */
  listTeamsApps(): TeamsCatalogApp[] {
    return [{ ...this.teamsApp }];
  }

  findTeamsApp(teamsAppId: string): TeamsCatalogApp | undefined {
    return same(this.teamsApp.id, teamsAppId) ? { ...this.teamsApp } : undefined;
  }

  /** Installs a catalog app in the user's personal scope. */
  installTeamsApp(userIdOrUpn: string, teamsAppId: string): InstallOutcome {
    const user = this.findUser(userIdOrUpn);
    if (!user) return { outcome: 'unknown-user' };
    const app = this.findTeamsApp(teamsAppId);
    if (!app) return { outcome: 'unknown-app' };
    const existing = this.installations.find((i) => i.userId === user.id && i.teamsAppId === app.id);
    if (existing) return { outcome: 'already-installed', installation: { ...existing } };
    const installation: TeamsAppInstallation = {
      seq: this.nextSeq++,
      id: Buffer.from(`${user.id}##${app.id}`, 'utf8').toString('base64'),
      userId: user.id,
      teamsAppId: app.id,
      installedAt: this.clock().toISOString(),
    };
    this.installations.push(installation);
    this.onChange();
    return { outcome: 'installed', installation: { ...installation } };
  }

  /** Undefined for an unknown user. */
  listInstalledApps(userIdOrUpn: string): TeamsAppInstallation[] | undefined {
    const user = this.findUser(userIdOrUpn);
    if (!user) return undefined;
    return this.installations.filter((i) => i.userId === user.id).sort((a, b) => a.seq - b.seq).map((i) => ({ ...i }));
  }

  // --- Azure RBAC -----------------------------------------------------------

  /**
   * The assignments ARM lists for a subscription: at it and inherited from above. `principalId eq` keeps the
   * principal's own; `assignedTo()` (transitive) also those of every group the principal is in.
   */
  listAzureRoleAssignments(subscriptionId: string, principalId?: string, transitive = false): AzureRoleAssignment[] {
    const holders = principalId === undefined ? undefined : new Set([principalId, ...(transitive ? this.groupsAbove(principalId) : [])].map((id) => id.toLowerCase()));
    return this.azureAssignments
      .filter((a) => same(a.subscriptionId, subscriptionId))
      .filter((a) => holders === undefined || holders.has(a.principalId.toLowerCase()))
      .map((a) => ({ ...a }));
  }

  /**
   * `createdOn` defaults to now: an assignment made while requests are waiting does not count for them.
   * The principal may be a user or a group; `managementGroupId` makes it an assignment inherited from there.
   */
  grantAzureRole(subscriptionId: string, principalId: string, roleDefinitionId: string, createdOn = this.clock().toISOString(), managementGroupId?: string): AzureRoleAssignment {
    const principal = this.findDirectoryObject(principalId);
    if (!principal) throw new Error(`Unknown user or group ${principalId}`);
    const id = principal.kind === 'user' ? principal.user.id : principal.group.id;
    const subscription = this.findSubscription(subscriptionId);
    if (subscription === undefined) throw new Error(`Unknown subscription ${subscriptionId}`);
    const existing = this.azureAssignments.find(
      (a) => a.subscriptionId === subscription && a.principalId === id && same(a.roleDefinitionId, roleDefinitionId) && a.managementGroupId === managementGroupId,
    );
    if (existing) return { ...existing };
    const assignment: AzureRoleAssignment = {
      seq: this.nextSeq++,
      name: randomUUID(),
      subscriptionId: subscription,
      principalId: id,
      principalType: principal.kind === 'user' ? 'User' : 'Group',
      roleDefinitionId: roleDefinitionId.toLowerCase(),
      createdOn,
      ...(managementGroupId ? { managementGroupId } : {}),
    };
    this.azureAssignments.push(assignment);
    this.onChange();
    return { ...assignment };
  }

  revokeAzureRole(subscriptionId: string, userId: string, roleDefinitionId: string): boolean {
    const user = this.requireUser(userId);
    const before = this.azureAssignments.length;
    this.azureAssignments = this.azureAssignments.filter(
      (a) => !(same(a.subscriptionId, subscriptionId) && a.principalId === user.id && same(a.roleDefinitionId, roleDefinitionId)),
    );
    this.onChange();
    return this.azureAssignments.length < before;
  }

  private requireUser(userId: string): DirectoryUser {
    const user = this.users.find((u) => same(u.id, userId));
    if (!user) throw new Error(`Unknown user ${userId}`);
    return user;
  }
}
