import { randomInt, randomUUID } from 'node:crypto';
import type { LockboxStatus } from './lockbox-model';

export interface NewRequestInput {
  requestId?: string;
  /** Absent: a tenant-scoped request. */
  subscriptionId: string | undefined;
  justification?: string;
  status?: LockboxStatus;
  createdDateTime?: string;
  expirationDateTime?: string;
  duration?: string;
  resourceIds?: string;
  resourceType?: string;
  supportRequest?: string;
  supportCaseUrl?: string;
  workitemsource?: string;
  accessLevel?: string;
}

export type GeneratedRequest = Required<Omit<NewRequestInput, 'accessLevel'>> & { accessLevel?: string };

/** Azure Customer Lockbox requests expire after 4 days when nobody acts. */
export const REQUEST_LIFETIME_MS = 4 * 24 * 60 * 60 * 1000;

const JUSTIFICATIONS = [
  'Microsoft Support Team is requesting access to your resource temporarily for troubleshooting.',
  'Support engineer needs to inspect the guest OS event logs to diagnose repeated unexpected restarts.',
  'Support engineer needs a memory dump of the virtual machine to investigate high CPU usage reported in the support case.',
  'Support engineer needs to read the managed disk to investigate a boot failure after a platform update.',
];
const RESOURCE_GROUPS = ['rg-payments-prod', 'rg-web-prod', 'rg-data-westeurope'];
const MACHINES = ['vm-sql-01', 'vm-web-02', 'vm-batch-03', 'vm-jumpbox'];

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)] as T;
}

/** Azure support request numbers: yyMMdd, then a 10-digit sequence. */
function supportRequestNumber(now: Date): string {
  const yyMMdd = now.toISOString().slice(2, 10).replace(/-/g, '');
  return `${yyMMdd}${String(randomInt(1_000_000_000, 10_000_000_000))}`;
}

export function supportCaseUrl(subscriptionId: string | undefined, supportRequest: string): string {
  const scope = subscriptionId === undefined ? '' : `/subscriptions/${subscriptionId}`;
  return `https://portal.azure.com/#resource${scope}/providers/microsoft.support/supporttickets/${supportRequest}`;
}

/** Unverified for a tenant-scoped request: no published example shows what it names. */
function tenantResourceId(): string {
  return '/providers/Microsoft.Entra';
}

export function virtualMachineResourceId(subscriptionId: string): string {
  return `SUBSCRIPTIONS/${subscriptionId}/RESOURCEGROUPS/${pick(RESOURCE_GROUPS)}/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/${pick(MACHINES)}`.toUpperCase();
}

/** Fills every property the caller left out with realistic values, as a fresh Pending request. */
export function generateRequest(input: NewRequestInput, now: Date): GeneratedRequest {
  const createdDateTime = input.createdDateTime ?? now.toISOString();
  const supportRequest = input.supportRequest ?? supportRequestNumber(now);
  const generated: GeneratedRequest = {
    requestId: input.requestId ?? randomUUID(),
    subscriptionId: input.subscriptionId,
    justification: input.justification ?? pick(JUSTIFICATIONS),
    status: input.status ?? 'Pending',
    createdDateTime,
    expirationDateTime: input.expirationDateTime ?? new Date(Date.parse(createdDateTime) + REQUEST_LIFETIME_MS).toISOString(),
    duration: input.duration ?? '8',
    resourceIds: input.resourceIds ?? (input.subscriptionId ? virtualMachineResourceId(input.subscriptionId) : tenantResourceId()),
    resourceType: input.resourceType ?? (input.subscriptionId ? 'Virtual Machine' : 'Microsoft Entra ID'),
    supportRequest,
    supportCaseUrl: input.supportCaseUrl ?? supportCaseUrl(input.subscriptionId, supportRequest),
    workitemsource: input.workitemsource ?? 'SupportRequest',
    // Unverified: the description names accessLevel but no example shows a value.
    accessLevel: input.accessLevel ?? 'Read',
  };
  return generated;
}
