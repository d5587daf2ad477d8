import { AZURE_ROLES, DIRECTORY_ROLES } from '../domain/roles';

export interface SeedUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  /** Entra directory role template ids, assigned at directory scope "/". */
  directoryRoles: string[];
  azureRoles?: { subscriptionId: string; roleDefinitionId: string }[];
}

export interface TenantSeed {
  tenantId: string;
  subscriptions: string[];
  users: SeedUser[];
  /** Azure Customer Lockbox (tenantOptedIn). Default true. */
  lockboxEnabled?: boolean;
  /** Microsoft 365 Customer Lockbox (Get-OrganizationConfig CustomerLockBoxEnabled). Default true. */
  m365LockboxEnabled?: boolean;
}

const SUBSCRIPTION = '00000000-0000-4000-8000-00000000a2b1';

/** Mirrors the Teams Playground config, so the people who click in the Playground exist here. */
export const DEFAULT_SEED: TenantSeed = {
  tenantId: '00000000-0000-4000-8000-000000000001',
  subscriptions: [SUBSCRIPTION],
  lockboxEnabled: true,
  users: [
    {
      id: '00000000-0000-4000-8000-000000000020',
      displayName: 'Alex Wilber',
      userPrincipalName: 'alexw@contoso.example',
      directoryRoles: [DIRECTORY_ROLES.customerLockboxApprover.id],
      // Azure requests are scoped to a subscription, where the directory role alone does not count.
      azureRoles: [{ subscriptionId: SUBSCRIPTION, roleDefinitionId: AZURE_ROLES.lockboxApproverForSubscription.id }],
    },
    {
      id: '00000000-0000-4000-8000-000000000021',
      displayName: 'Megan Bowen',
      userPrincipalName: 'meganb@contoso.example',
      directoryRoles: [DIRECTORY_ROLES.globalAdministrator.id],
    },
    {
      id: '00000000-0000-4000-8000-000000000022',
      displayName: 'Adele Vance',
      userPrincipalName: 'adelev@contoso.example',
      directoryRoles: [],
    },
    {
      id: '00000000-0000-4000-8000-000000000023',
      displayName: 'Isaiah Langer',
      userPrincipalName: 'isaiahl@contoso.example',
      directoryRoles: [],
      azureRoles: [{ subscriptionId: SUBSCRIPTION, roleDefinitionId: AZURE_ROLES.owner.id }],
    },
    {
      id: '00000000-0000-4000-8000-000000000024',
      displayName: 'Patti Fernandez',
      userPrincipalName: 'pattif@contoso.example',
      directoryRoles: [],
    },
    {
      id: '00000000-0000-4000-8000-000000000025',
      displayName: 'Lynne Robbins',
      userPrincipalName: 'lynner@contoso.example',
      directoryRoles: [],
    },
  ],
};
