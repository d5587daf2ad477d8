import { z } from 'zod';
import { APPROVAL_DECISIONS, LOCKBOX_STATUSES, type LockboxRequestRecord } from './lockbox-model';
import { M365_DECISIONS, M365_SERVICES, M365_STATUSES, type M365RequestRecord } from './m365-model';
import type { AzureRoleAssignment, DirectoryRoleAssignment, TeamsAppInstallation } from './tenant';

const lockboxRequest = z.object({
  seq: z.number().int(),
  requestId: z.string(),
  subscriptionId: z.string().optional(),
  justification: z.string(),
  status: z.enum(LOCKBOX_STATUSES),
  createdDateTime: z.string(),
  expirationDateTime: z.string(),
  duration: z.string(),
  resourceIds: z.string(),
  resourceType: z.string(),
  supportRequest: z.string(),
  supportCaseUrl: z.string(),
  workitemsource: z.string(),
  accessLevel: z.string().optional(),
  decisions: z.array(z.object({ status: z.enum(APPROVAL_DECISIONS), reason: z.string(), at: z.string() })),
}) satisfies z.ZodType<LockboxRequestRecord>;

const m365Request = z.object({
  seq: z.number().int(),
  identity: z.string(),
  requestId: z.string(),
  approvalStatus: z.enum(M365_STATUSES),
  createdTime: z.string(),
  expiryTime: z.string(),
  serviceName: z.enum(M365_SERVICES),
  requestor: z.string(),
  comment: z.string(),
  resources: z.array(z.string()),
  supportTicketId: z.string(),
  accessDurationHours: z.number(),
  decisions: z.array(z.object({ decision: z.enum(M365_DECISIONS), comment: z.string(), at: z.string() })),
}) satisfies z.ZodType<M365RequestRecord>;

// A state saved before activations were simulated holds permanent assignments only.
const directoryAssignment = z.object({
  seq: z.number().int(), id: z.string(), principalId: z.string(), roleDefinitionId: z.string(), directoryScopeId: z.literal('/'),
  assignmentType: z.enum(['Assigned', 'Activated']).default('Assigned'),
  startDateTime: z.string().nullable().default(null),
  endDateTime: z.string().nullable().default(null),
}) satisfies z.ZodType<DirectoryRoleAssignment, z.ZodTypeDef, unknown>;

const azureAssignment = z.object({
  seq: z.number().int(), name: z.string(), subscriptionId: z.string(), principalId: z.string(), roleDefinitionId: z.string(), createdOn: z.string(),
  principalType: z.enum(['User', 'Group']).default('User'),
  managementGroupId: z.string().optional(),
}) satisfies z.ZodType<AzureRoleAssignment, z.ZodTypeDef, unknown>;

const installation = z.object({
  seq: z.number().int(), id: z.string(), userId: z.string(), teamsAppId: z.string(), installedAt: z.string(),
}) satisfies z.ZodType<TeamsAppInstallation>;

/** What a simulated tenant changes after its seed: saved so a restart continues where it stopped. */
export const tenantStateSchema = z.object({
  version: z.literal(1),
  tenantId: z.string(),
  nextSeq: z.number().int().positive(),
  lockboxEnabled: z.boolean(),
  m365LockboxEnabled: z.boolean(),
  requests: z.array(lockboxRequest),
  m365Requests: z.array(m365Request),
  directoryAssignments: z.array(directoryAssignment),
  azureAssignments: z.array(azureAssignment),
  /** Members of each seeded group, by group id. */
  groupMembers: z.record(z.array(z.string())),
  installations: z.array(installation),
});

export type TenantState = z.infer<typeof tenantStateSchema>;
