import { randomInt, randomUUID } from 'node:crypto';
import { M365_REQUEST_LIFETIME_MS, type M365RequestRecord, type M365Service, type M365Status } from './m365-model';

export interface NewM365RequestInput {
  identity?: string;
  requestId?: string;
  approvalStatus?: M365Status;
  createdTime?: string;
  expiryTime?: string;
  serviceName?: M365Service;
  requestor?: string;
  comment?: string;
  resources?: string[];
  supportTicketId?: string;
  accessDurationHours?: number;
}

export type GeneratedM365Request = Omit<M365RequestRecord, 'seq' | 'decisions'>;

const SCENARIOS: Record<'Exchange' | 'SharePoint' | 'Teams', { comment: string; resources: string[] }[]> = {
  Exchange: [
    { comment: 'Microsoft engineer needs to open the mailbox to investigate messages stuck in the Outbox, as reported in the support case.', resources: ['adelev@contoso.example'] },
    { comment: 'Support engineer needs to inspect calendar items that fail to sync to mobile devices.', resources: ['meganb@contoso.example'] },
  ],
  SharePoint: [
    { comment: 'Support engineer needs to read the document library to find why version history is missing.', resources: ['https://contoso.sharepoint.com/sites/Finance'] },
  ],
  Teams: [
    { comment: 'Support engineer needs to read the channel messages that fail to load for members of the team.', resources: ['Project Falcon'] },
  ],
};

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)] as T;
}

/** Fills every field the caller left out, as a fresh Pending request that expires 12 hours after creation. */
export function generateM365Request(input: NewM365RequestInput, now: Date): GeneratedM365Request {
  const serviceName = input.serviceName ?? pick(['Exchange', 'Exchange', 'SharePoint', 'Teams'] as const);
  const scenario = pick(SCENARIOS[serviceName === 'EOP' ? 'Exchange' : serviceName]);
  const createdTime = new Date(input.createdTime ?? now.toISOString()).toISOString();
  return {
    identity: input.identity ?? randomUUID(),
    requestId: input.requestId ?? `EXSR${randomInt(100_000, 10_000_000)}`,
    approvalStatus: input.approvalStatus ?? 'Pending',
    createdTime,
    expiryTime: new Date(input.expiryTime ?? Date.parse(createdTime) + M365_REQUEST_LIFETIME_MS).toISOString(),
    serviceName,
    requestor: input.requestor ?? 'Microsoft Support Engineer',
    comment: input.comment ?? scenario.comment,
    resources: input.resources ?? scenario.resources,
    supportTicketId: input.supportTicketId ?? String(randomInt(7_000_000_000, 8_000_000_000)),
    // Approval grants at most 4 hours of access.
    accessDurationHours: input.accessDurationHours ?? 4,
  };
}
