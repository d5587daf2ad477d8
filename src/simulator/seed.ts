import { AZURE_ROLES, DIRECTORY_ROLES } from '../domain/roles';

export interface SeedUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  /** Entra directory role template ids, assigned at directory scope "/". */
  directoryRoles: string[];
  /** `createdOn` defaults to a year before the simulator starts. */
  azureRoles?: { subscriptionId: string; roleDefinitionId: string; createdOn?: string }[];
}

export interface SeedGroup {
  id: string;
  displayName: string;
  /**
   * Object ids of users or groups; groups may nest, and membership is followed transitively. A
   * role-assignable group takes users only: as in Entra, a group inside one is refused.
   */
  members: string[];
  /**
   * Entra directory role template ids assigned to the group at directory scope "/". A group seeded
   * with any is role-assignable (isAssignableToRole).
   */
  directoryRoles?: string[];
}

/** The bot's app in the tenant's Teams app catalog. */
export interface SeedTeamsApp {
  /** The catalog id Graph generates (teamsApp.id), used in teamsApp@odata.bind. */
  id: string;
  /** The id in the app manifest (teamsApp.externalId). */
  externalId: string;
}

export interface TenantSeed {
  tenantId: string;
  subscriptions: string[];
  /** Display names by subscription id, as the portal shows them; one left out gets a made-up name. */
  subscriptionNames?: Record<string, string>;
  users: SeedUser[];
  /** Azure Customer Lockbox (tenantOptedIn). Default true. */
  lockboxEnabled?: boolean;
  /** Microsoft 365 Customer Lockbox (Get-OrganizationConfig CustomerLockBoxEnabled). Default true. */
  m365LockboxEnabled?: boolean;
  groups?: SeedGroup[];
  /** Default DEFAULT_TEAMS_APP. */
  teamsApp?: SeedTeamsApp;
}

const SUBSCRIPTION = '00000000-0000-4000-8000-00000000a2b1';
const LYNNE = '00000000-0000-4000-8000-000000000025';
const PATTI = '00000000-0000-4000-8000-000000000024';

export const DEFAULT_TEAMS_APP: SeedTeamsApp = {
  id: '00000000-0000-4000-8000-0000000000a9',
  externalId: '00000000-0000-4000-8000-0000000000b0',
};

export const DEFAULT_GROUPS = {
  lockboxApprovers: '00000000-0000-4000-8000-000000000101',
  securityOnCall: '00000000-0000-4000-8000-000000000102',
  nightShift: '00000000-0000-4000-8000-000000000103',
} as const;

/** Mirrors the Teams Playground config, so the people who click in the Playground exist here. */
export const DEFAULT_SEED: TenantSeed = {
  tenantId: '00000000-0000-4000-8000-000000000001',
  subscriptions: [SUBSCRIPTION],
  subscriptionNames: { [SUBSCRIPTION]: 'Payments-Prod' },
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
      id: PATTI,
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
  // Patti holds the Customer LockBox Access Approver role only through the role-assignable Lockbox
  // Approvers; nesting is exercised through Security On-call → Night shift, which hold no role.
  groups: [
    {
      id: DEFAULT_GROUPS.lockboxApprovers,
      displayName: 'Lockbox Approvers',
      // Entra refuses groups inside a role-assignable group, so its members are people.
      members: [PATTI],
      directoryRoles: [DIRECTORY_ROLES.customerLockboxApprover.id],
    },
    {
      id: DEFAULT_GROUPS.securityOnCall,
      displayName: 'Security On-call',
      members: [DEFAULT_GROUPS.nightShift],
    },
    {
      id: DEFAULT_GROUPS.nightShift,
      displayName: 'Night shift',
      members: [PATTI, LYNNE],
    },
  ],
  teamsApp: DEFAULT_TEAMS_APP,
};
