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

export function approverPolicy(request: Pick<LockboxRequest, 'source' | 'subscriptionId'>): ApproverPolicy {
  if (request.source === 'azure' && request.subscriptionId) {
    return {
      directoryRoles: [DIRECTORY_ROLES.globalAdministrator],
      subscriptionRoles: [AZURE_ROLES.owner, AZURE_ROLES.lockboxApproverForSubscription],
    };
  }
  if (request.source === 'azure') return { directoryRoles: [DIRECTORY_ROLES.globalAdministrator], subscriptionRoles: [] };
  return { directoryRoles: [DIRECTORY_ROLES.customerLockboxApprover, DIRECTORY_ROLES.globalAdministrator], subscriptionRoles: [] };
}

/** Who may turn Customer Lockbox on or off: Global Administrators, and for Microsoft 365 also Customer LockBox Access Approvers. */
export function adminRoles(source: SourceKind): Role[] {
  return source === 'm365' ? [DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.customerLockboxApprover] : [DIRECTORY_ROLES.globalAdministrator];
}

export function roleNames(policy: ApproverPolicy, subscriptionId?: string): string[] {
  return [...policy.directoryRoles.map((r) => r.name), ...policy.subscriptionRoles.map((r) => subscriptionRoleName(r, subscriptionId))];
}

export function subscriptionRoleName(role: Role, subscriptionId?: string): string {
  return subscriptionId ? `${role.name} on subscription ${subscriptionId}` : role.name;
}
