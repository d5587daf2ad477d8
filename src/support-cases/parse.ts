import { z } from 'zod';
import type { SupportCase } from '../domain/support-case';

const text = z.string().optional().nullable().catch(undefined);

/** A support ticket as GET …/supportTickets/{name} and the list answer it (api-version 2024-04-01); lenient beyond the number. */
const ticket = z.object({
  name: text,
  properties: z.object({
    supportTicketId: z.string().min(1),
    title: text,
    status: text,
    severity: text,
    createdDate: z.string().datetime({ offset: true }).optional().nullable().catch(undefined),
    serviceDisplayName: text,
    contactDetails: z.object({ firstName: text, lastName: text, primaryEmailAddress: text }).partial().optional().nullable().catch(undefined),
  }).passthrough(),
}).passthrough();

export const ticketPage = z.object({ value: z.array(z.unknown()), nextLink: z.string().url().optional().nullable() });

export function parseTicket(raw: unknown): SupportCase | undefined {
  const parsed = ticket.safeParse(raw);
  if (!parsed.success) return undefined;
  const p = parsed.data.properties;
  const name = [p.contactDetails?.firstName, p.contactDetails?.lastName].map((s) => s?.trim()).filter(Boolean).join(' ');
  return {
    caseNumber: p.supportTicketId,
    title: p.title?.trim() || '(no title)',
    status: p.status?.trim() || 'Unknown',
    ...(p.severity ? { severity: p.severity } : {}),
    ...(p.createdDate ? { createdAt: new Date(p.createdDate).toISOString() } : {}),
    openedBy: { ...(name ? { name } : {}), ...(p.contactDetails?.primaryEmailAddress ? { email: p.contactDetails.primaryEmailAddress.trim() } : {}) },
    ...(p.serviceDisplayName ? { service: p.serviceDisplayName } : {}),
  };
}
