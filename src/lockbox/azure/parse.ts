import { z } from 'zod';
import type { LockboxRequest } from '../../domain/request';
import { safeLink } from '../links';

const text = z.string().optional().catch(undefined);

/** Lenient on purpose: the API's examples disagree on field names and types across versions. */
const properties = z
  .object({
    requestId: z.string().min(1).optional().catch(undefined),
    /** The 2019 draft named the request id `id`. */
    id: z.string().min(1).optional().catch(undefined),
    status: z.string().min(1),
    justification: text,
    createdDateTime: z.string().datetime({ offset: true }),
    expirationDateTime: z.string().datetime({ offset: true }),
    duration: z.union([z.number(), z.string()]).optional().catch(undefined),
    resourceIds: z.string().optional().catch(undefined),
    requestedResourceIds: z.array(z.string()).optional().catch(undefined),
    resourceId: z.string().optional().catch(undefined),
    resourceType: text,
    supportRequest: text,
    supportCaseUrl: text,
    workitemsource: text,
    workItemSource: text,
    subscriptionId: text,
    accessLevel: text,
  })
  .passthrough();

const resource = z.object({ id: z.string().optional(), name: z.string().optional(), properties }).passthrough();

export type ParseResult = { ok: true; request: LockboxRequest } | { ok: false; id: string; error: string };

export function parseAzureRequest(raw: unknown, subscriptionId?: string): ParseResult {
  const parsed = resource.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, id: guessId(raw), error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  const p = parsed.data.properties;
  const requestId = p.requestId ?? p.id ?? lastSegment(parsed.data.id);
  if (!requestId) return { ok: false, id: guessId(raw), error: 'properties.requestId: Required' };
  const duration = parseDuration(p.duration);
  return {
    ok: true,
    request: {
      source: 'azure',
      requestId,
      subscriptionId: p.subscriptionId ?? subscriptionId,
      status: p.status,
      justification: p.justification,
      resourceIds: p.requestedResourceIds ?? splitIds(p.resourceIds ?? p.resourceId),
      resourceType: p.resourceType,
      supportRequest: p.supportRequest,
      supportCaseUrl: safeLink(p.supportCaseUrl),
      workItemSource: p.workitemsource ?? p.workItemSource,
      accessLevel: p.accessLevel,
      ...duration,
      createdAt: new Date(p.createdDateTime).toISOString(),
      expiresAt: new Date(p.expirationDateTime).toISOString(),
      raw,
    },
  };
}

function parseDuration(value: number | string | undefined): { durationHours?: number; durationText?: string } {
  if (value === undefined || value === '') return {};
  const hours = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
  return hours === undefined ? { durationText: String(value) } : { durationHours: hours };
}

function splitIds(ids: string | undefined): string[] {
  return (ids ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function lastSegment(armId: string | undefined): string | undefined {
  return armId?.split('/').filter(Boolean).pop();
}

function guessId(raw: unknown): string {
  const r = raw as { id?: unknown; properties?: { requestId?: unknown } } | null;
  const id = r?.properties?.requestId ?? r?.id;
  return typeof id === 'string' ? id : '(no id)';
}
