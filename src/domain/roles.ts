/** Entra directory roles, by template id (the same in every tenant). */
export const DIRECTORY_ROLES = {
  customerLockboxApprover: { id: '5c4f9dcd-47dc-4cf7-8c9a-9e4207cbfc91', name: 'Customer LockBox Access Approver' },
  globalAdministrator: { id: '62e90394-69f5-4237-9190-012177145e10', name: 'Global Administrator' },
} as const;

/** Azure RBAC role definitions, by id (the same in every subscription). */
export const AZURE_ROLES = {
  lockboxApproverForSubscription: { id: '4dae6930-7baf-46f5-909e-0383bc931c46', name: 'Azure Customer Lockbox Approver for Subscription' },
  owner: { id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', name: 'Owner' },
} as const;
