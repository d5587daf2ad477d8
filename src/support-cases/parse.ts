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

/** Case fields are written by people: a card shows at most this much of each. */
const MAX = { title: 200, name: 100, email: 254, word: 60 };

function cut(value: string | null | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? (trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed) : undefined;
}

export function parseTicket(raw: unknown): SupportCase | undefined {
  const parsed = ticket.safeParse(raw);
  if (!parsed.success) return undefined;
  const p = parsed.data.properties;
  const name = cut([p.contactDetails?.firstName, p.contactDetails?.lastName].map((s) => s?.trim()).filter(Boolean).join(' '), MAX.name);
  const email = cut(p.contactDetails?.primaryEmailAddress, MAX.email);
  const severity = cut(p.severity, MAX.word);
  const service = cut(p.serviceDisplayName, MAX.title);
  return {
    caseNumber: p.supportTicketId.trim(),
    title: cut(p.title, MAX.title) ?? '(no title)',
    status: cut(p.status, MAX.word) ?? 'Unknown',
    ...(severity ? { severity } : {}),
    ...(p.createdDate ? { createdAt: new Date(p.createdDate).toISOString() } : {}),
    openedBy: { ...(name ? { name } : {}), ...(email ? { email } : {}) },
    ...(service ? { service } : {}),
  };
}
