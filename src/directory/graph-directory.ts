import { z } from 'zod';
import { DirectoryUnavailable, UpstreamError } from '../domain/errors';
import { adminRoles, approverPolicy, assignedInTime, roleNames, subscriptionRoleName, type Role } from '../domain/policy';
import type { Clock, Directory, Logger, RoleCheck } from '../domain/ports';
import type { LockboxRequest, SourceKind } from '../domain/request';
import type { JsonClient, JsonRequest } from '../http/json-client';

const RBAC_API_VERSION = '2022-04-01';
/** The largest page Graph serves for group members. */
const MEMBERS_PAGE_SIZE = 999;
/** A safety stop against a listing that never ends (a next link pointing back): ~1,000,000 members. */
const MAX_PAGES = 1000;

export interface GraphDirectoryOptions {
  logger?: Logger;
  clock?: Clock;
  /** Pages read per listing before the safety stop. */
  maxPages?: number;
}

export interface PagingLimitReached {
  what: string;
  pages: number;
  items: number;
  at?: string;
}
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** v1.0 roleAssignmentScheduleInstances: the active assignments, each with when it started (null: Graph does not say). */
const scheduleInstances = z.object({
  value: z.array(z.object({
    principalId: z.string(),
    roleDefinitionId: z.string(),
    directoryScopeId: z.string().nullish(),
    startDateTime: z.string().nullish(),
    principal: z.object({ '@odata.type': z.string().optional() }).passthrough().nullish(),
  })),
  '@odata.nextLink': z.string().url().nullish(),
});
/** v1.0 transitiveMemberOf: groups (through nesting), directory roles and administrative units, by id. */
const memberships = z.object({ value: z.array(z.object({ id: z.string() }).passthrough()), '@odata.nextLink': z.string().url().nullish() });
const rbacAssignments = z.object({
  value: z.array(z.object({ properties: z.object({ roleDefinitionId: z.string(), principalId: z.string(), principalType: z.string().optional(), scope: z.string(), createdOn: z.string().nullish() }) })),
  nextLink: z.string().url().nullish(),
});
const groupUsers = z.object({ value: z.array(z.object({ id: z.string() })), '@odata.nextLink': z.string().url().nullish() });
const user = z.object({ displayName: z.string().nullish(), userPrincipalName: z.string().nullish() });

/** Who may decide, asked live from Microsoft Graph (directory roles) and Azure RBAC (subscription roles). Fails closed. */
export class GraphDirectory implements Directory {
  private limitReached?: PagingLimitReached;

  constructor(private readonly graph: JsonClient, private readonly arm: JsonClient, private readonly options: GraphDirectoryOptions = {}) {}

  /** The last time a listing stopped at the safety limit with more pages left: people were left out, so /healthz says so. */
  pagingLimitReached(): PagingLimitReached | undefined {
    return this.limitReached;
  }

  async checkApprover(userId: string, request: LockboxRequest): Promise<RoleCheck> {
    const policy = approverPolicy(request);
    const requiredRoles = roleNames(policy, request.subscriptionId);
    if (!GUID.test(userId)) return { allowed: false, heldRoles: [], requiredRoles, lateRoles: [] };
    const [directory, subscription] = await Promise.all([
      this.directoryRolesOf(userId, policy.directoryRoles, request),
      request.subscriptionId && policy.subscriptionRoles.length ? this.subscriptionRolesOf(userId, request, policy.subscriptionRoles) : { held: [], late: [] },
    ]);
    const heldRoles = [...directory.held, ...subscription.held];
    return { allowed: heldRoles.length > 0, heldRoles, requiredRoles, lateRoles: [...directory.late, ...subscription.late] };
  }

  async checkAdmin(userId: string, source: SourceKind): Promise<RoleCheck> {
    const roles = adminRoles(source);
    const requiredRoles = roles.map((r) => r.name);
    if (!GUID.test(userId)) return { allowed: false, heldRoles: [], requiredRoles };
    const { held } = await this.directoryRolesOf(userId, roles);
    return { allowed: held.length > 0, heldRoles: held, requiredRoles };
  }

  /** Everyone who may decide the request, through groups too; nobody else (NOTIFY_GROUP_ID members are told, not asked). */
  async listApprovers(request: LockboxRequest): Promise<string[]> {
    const policy = approverPolicy(request);
    const users = new Set<string>();
    const groups = new Set<string>();
    for (const role of policy.directoryRoles) {
      for (const a of await this.activeAssignments(role, true)) {
        if (a.directoryScopeId !== '/' || !assignedInTime(request, a.startDateTime)) continue;
        const type = a.principal?.['@odata.type'];
        if (type === '#microsoft.graph.group') groups.add(a.principalId);
        else if (isUser(type)) users.add(a.principalId);
      }
    }
    if (request.subscriptionId && policy.subscriptionRoles.length) {
      const scope = subscriptionScope(request.subscriptionId);
      const pages = await this.all({ method: 'GET', url: `${scope.slice(1)}/providers/Microsoft.Authorization/roleAssignments`, query: { 'api-version': RBAC_API_VERSION, $filter: 'atScope()' } }, rbacAssignments, 'nextLink', this.arm);
      for (const { properties: p } of pages) {
        if (!sameScope(p.scope, scope) || !matchesRole(p.roleDefinitionId, policy.subscriptionRoles) || !assignedInTime(request, p.createdOn)) continue;
        if (p.principalType === 'Group') groups.add(p.principalId);
        else if (p.principalType === 'User') users.add(p.principalId);
      }
    }
    for (const group of groups) for (const member of await this.membersOf(group)) users.add(member);
    return [...users];
  }

  /** Every user in a group, through nested groups, as Graph resolves it. */
  async membersOf(groupId: string): Promise<string[]> {
    // The type cast is an advanced query in Graph: it wants $count and eventual consistency.
    const members = await this.all(
      { method: 'GET', url: `v1.0/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, query: { $select: 'id', $count: 'true', $top: String(MEMBERS_PAGE_SIZE) }, headers: { ConsistencyLevel: 'eventual' } },
      groupUsers,
      '@odata.nextLink',
      this.graph,
      'group members',
    );
    return members.map((m) => m.id);
  }

  async lookupUser(userId: string) {
    if (!GUID.test(userId)) return undefined;
    try {
      const response = await this.graph.send({ method: 'GET', url: `v1.0/users/${userId}`, query: { $select: 'displayName,userPrincipalName' } });
      const parsed = user.safeParse(response.body);
      return response.status === 200 && parsed.success ? { displayName: parsed.data.displayName ?? undefined, userPrincipalName: parsed.data.userPrincipalName ?? undefined } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The directory roles, of `roles`, that the user holds at directory scope "/" now, directly or through a
   * role-assignable group, split (given a request) by whether the active assignment started before the
   * request was created. All v1.0: the user's groups from transitiveMemberOf, and each role's active
   * assignments from roleAssignmentScheduleInstances, which name the group as principal for a role held
   * through one and carry startDateTime (null for a permanent assignment: Graph does not say, so it counts).
   */
  private async directoryRolesOf(userId: string, roles: Role[], request?: LockboxRequest): Promise<{ held: string[]; late: string[] }> {
    if (!roles.length) return { held: [], late: [] };
    const [groups, ...perRole] = await Promise.all([this.groupsOf(userId), ...roles.map((role) => this.activeAssignments(role, false))]);
    const principals = new Set([userId, ...groups].map((id) => id.toLowerCase()));
    const held: string[] = [];
    const late: string[] = [];
    roles.forEach((role, i) => {
      const mine = perRole[i]!.filter((a) => a.directoryScopeId === '/' && principals.has(a.principalId.toLowerCase()) && matchesRole(a.roleDefinitionId, [role]));
      if (mine.some((a) => !request || assignedInTime(request, a.startDateTime))) held.push(role.name);
      else if (mine.length) late.push(role.name);
    });
    return { held, late };
  }

  /** Ids of everything the user is a member of, through nesting; an unknown user is in nothing. */
  private async groupsOf(userId: string): Promise<string[]> {
    const first: JsonRequest = { method: 'GET', url: `v1.0/users/${userId}/transitiveMemberOf`, query: { $select: 'id' } };
    const found = await this.all(first, memberships, '@odata.nextLink', this.graph, 'memberships', { notFoundIsEmpty: true });
    return found.map((m) => m.id);
  }

  /** Every active assignment of a directory role (PIM activations included, eligibility not), with when it started. */
  private activeAssignments(role: Role, withPrincipal: boolean) {
    const query: Record<string, string> = { $filter: `roleDefinitionId eq '${role.id}'`, ...(withPrincipal ? { $expand: 'principal' } : {}) };
    return this.all({ method: 'GET', url: 'v1.0/roleManagement/directory/roleAssignmentScheduleInstances', query }, scheduleInstances, '@odata.nextLink');
  }

  /**
   * Roles assigned at the subscription itself (directly or to a group of the user), split by whether they predate the request.
   * atScope() with assignedTo() (documented by Azure RBAC) leaves out the user's roles on resource groups and resources below,
   * which never count here: a smaller answer for people who hold many of them.
   */
  private async subscriptionRolesOf(userId: string, request: LockboxRequest, roles: Role[]): Promise<{ held: string[]; late: string[] }> {
    const scope = subscriptionScope(request.subscriptionId!);
    const assignments = await this.all({ method: 'GET', url: `${scope.slice(1)}/providers/Microsoft.Authorization/roleAssignments`, query: { 'api-version': RBAC_API_VERSION, $filter: `atScope() and assignedTo('${userId}')` } }, rbacAssignments, 'nextLink', this.arm);
    const held: string[] = [];
    const late: string[] = [];
    for (const role of roles) {
      const atScope = assignments.filter(({ properties: p }) => sameScope(p.scope, scope) && matchesRole(p.roleDefinitionId, [role]));
      const name = subscriptionRoleName(role, request.subscriptionId);
      if (atScope.some(({ properties: p }) => assignedInTime(request, p.createdOn))) held.push(name);
      else if (atScope.length) late.push(name);
    }
    return { held, late };
  }

  /** Every page, to the end; a listing that would go on past the safety limit is logged and reported, never cut silently. */
  private async all<S extends z.ZodType<{ value: unknown[] }>>(first: JsonRequest, schema: S, nextKey: string, client = this.graph, what = 'role assignments', options: { notFoundIsEmpty?: boolean } = {}): Promise<z.infer<S>['value']> {
    const items: unknown[] = [];
    const maxPages = this.options.maxPages ?? MAX_PAGES;
    let request: JsonRequest | undefined = first;
    let pages = 0;
    for (; request && pages < maxPages; pages++) {
      const response = await this.call(client, request, options.notFoundIsEmpty && pages === 0);
      if (response.status === 404) return [];
      const parsed = schema.safeParse(response.body);
      if (!parsed.success) throw new DirectoryUnavailable(`${request.url} answered with an unexpected body`);
      items.push(...parsed.data.value);
      const next = (parsed.data as Record<string, unknown>)[nextKey];
      request = typeof next === 'string' ? { method: 'GET', url: next, headers: first.headers } : undefined;
    }
    if (request) {
      this.limitReached = { what, pages, items: items.length, ...(this.options.clock ? { at: this.options.clock.now().toISOString() } : {}) };
      this.options.logger?.error('Stopped reading a directory listing at the safety limit: people after this point are not reached', { what, pages, items: items.length });
    }
    return items as z.infer<S>['value'];
  }

  private async call(client: JsonClient, request: JsonRequest, notFoundIsAnswer = false) {
    let response;
    try {
      response = await client.send(request);
    } catch (error) {
      throw new DirectoryUnavailable(error instanceof UpstreamError ? error.message : String(error));
    }
    if (response.status === 404 && notFoundIsAnswer) return response;
    if (response.status !== 200) {
      const message = (response.body as { error?: { message?: string } } | undefined)?.error?.message;
      throw new DirectoryUnavailable(`${request.url} answered HTTP ${response.status}${message ? `: ${message}` : ''}`);
    }
    return response;
  }
}

function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

function sameScope(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.toLowerCase();
}

function matchesRole(roleDefinitionId: string, roles: Role[]): boolean {
  const id = roleDefinitionId.split('/').pop()?.toLowerCase();
  return roles.some((r) => r.id === id);
}

function isUser(odataType: string | undefined): boolean {
  return odataType === undefined || odataType === '#microsoft.graph.user';
}
