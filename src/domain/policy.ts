import type { LockboxRequest, SourceKind } from './request';
import { AZURE_ROLES, DIRECTORY_ROLES } from './roles';

export interface Role {
  id: string;
  name: string;
}

/** The roles that entitle a person to decide a request, as Microsoft defines them for each kind of request. */
export interface ApproverPolicy {
  /** Entra directory roles, active at directory scope "/". */
  directoryRoles: Role[];
  /** Azure RBAC roles assigned on the request's own subscription (not inherited from a management group). */
  subscriptionRoles: Role[];
}

export type RequestScope = 'azure-subscription' | 'azure-tenant' | 'm365';

export function scopeOf(request: Pick<LockboxRequest, 'source' | 'subscriptionId'>): RequestScope {
  if (request.source === 'm365') return 'm365';
  return request.subscriptionId ? 'azure-subscription' : 'azure-tenant';
}

/**
 * Microsoft's rule, and the only place it is written down: every view (who gets buttons), every
 * live check (a click) and every text (help, info cards, refusals) derives from this table.
 * A Global Administrator alone may not decide a subscription-scoped Azure request.
 */
const RULE: Record<RequestScope, ApproverPolicy> = {
  'azure-subscription': { directoryRoles: [], subscriptionRoles: [AZURE_ROLES.owner, AZURE_ROLES.lockboxApproverForSubscription] },
  'azure-tenant': { directoryRoles: [DIRECTORY_ROLES.globalAdministrator], subscriptionRoles: [] },
  m365: { directoryRoles: [DIRECTORY_ROLES.customerLockboxApprover, DIRECTORY_ROLES.globalAdministrator], subscriptionRoles: [] },
};

export function approverPolicy(request: Pick<LockboxRequest, 'source' | 'subscriptionId'>): ApproverPolicy {
  return RULE[scopeOf(request)];
}

/** For help texts and info cards: the roles that may decide each kind of request, in words. */
export function approverRoleNames(scope: RequestScope): string[] {
  const policy = RULE[scope];
  return [...policy.directoryRoles, ...policy.subscriptionRoles].map((r) => r.name);
}

/**
 * "Role assignments must be in place before Lockbox starts to process a request; any made after it
 * will not be recognized." An assignment without a known start counts (Graph does not always say);
 * one whose start cannot be read does not.
 */
export function assignedInTime(request: Pick<LockboxRequest, 'createdAt'>, assignedAt: string | null | undefined): boolean {
  if (assignedAt === undefined || assignedAt === null) return true;
  const at = Date.parse(assignedAt);
  const created = Date.parse(request.createdAt);
  return !Number.isNaN(at) && !Number.isNaN(created) && at <= created;
}

/** Who may turn Customer Lockbox on or off: Global Administrators, and for Microsoft 365 also Customer LockBox Access Approvers. */
export function adminRoles(source: SourceKind): Role[] {
  return source === 'm365' ? [DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.customerLockboxApprover] : [DIRECTORY_ROLES.globalAdministrator];
}

export function roleNames(policy: ApproverPolicy, subscriptionId?: string): string[] {
  return [...policy.directoryRoles.map((r) => r.name), ...policy.subscriptionRoles.map((r) => subscriptionRoleName(r, subscriptionId))];
}

/** Of the roles that may decide, those a role check reported (worded as `roleNames` words them), by their plain names. */
export function rolesAmong(policy: ApproverPolicy, reported: string[], subscriptionId?: string): string[] {
  return [
    ...policy.directoryRoles.filter((r) => reported.includes(r.name)),
    ...policy.subscriptionRoles.filter((r) => reported.includes(subscriptionRoleName(r, subscriptionId))),
  ].map((r) => r.name);
}

export function subscriptionRoleName(role: Role, subscriptionId?: string): string {
  return subscriptionId ? `${role.name} on subscription ${subscriptionId}` : role.name;
}
