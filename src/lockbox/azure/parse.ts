import { z } from 'zod';
import type { LockboxRequest } from '../../domain/request';
import { safeLink } from '../links';

const text = z.string().optional().catch(undefined);
const rfc3339 = z.string().datetime({ offset: true });

/** Lenient on purpose: the API's examples disagree on field names and types across versions. */
const properties = z
  .object({
    requestId: z.string().min(1).optional().catch(undefined),
    /** The 2019 draft named the request id `id`. */
    id: z.string().min(1).optional().catch(undefined),
    status: z.string().optional().catch(undefined),
    justification: text,
    createdDateTime: z.string().optional().catch(undefined),
    expirationDateTime: rfc3339,
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

/** How long an Azure request waits before it expires: the earliest it can have been created, when the record does not say. */
const AZURE_REQUEST_LIFETIME_MS = 4 * 24 * 3_600_000;

/**
 * A record missing a non-essential field (creation time, status) is kept with what is known and says which
 * were missing; only one without an id or an expiry cannot be followed. `listedIn`: the subscription whose
 * listing (or read) returned it, kept only to read it again, never to say whose request it is.
 * `listedAsPending`: it came from a listing filtered on Pending, so an empty status means Pending.
 */
export function parseAzureRequest(raw: unknown, listedIn?: string, listedAsPending = false): ParseResult {
  const parsed = resource.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, id: guessId(raw), error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  const p = parsed.data.properties;
  const requestId = p.requestId ?? p.id ?? lastSegment(parsed.data.id);
  if (!requestId) return { ok: false, id: guessId(raw), error: 'properties.requestId: Required' };
  const duration = parseDuration(p.duration);
  const incomplete: string[] = [];
  const status = p.status?.trim() || (listedAsPending ? 'Pending' : 'Unknown');
  if (!p.status?.trim()) incomplete.push('status');
  const expiresAt = new Date(p.expirationDateTime).toISOString();
  const created = readTime(p.createdDateTime);
  if (!created.ok) incomplete.push('createdDateTime');
  // Without a creation time, the earliest possible one: role assignments must predate it, which is never less strict.
  const createdAt = created.ok ? created.iso : new Date(Date.parse(expiresAt) - AZURE_REQUEST_LIFETIME_MS).toISOString();
  const subscriptionId = ownSubscription(parsed.data.id, p.subscriptionId);
  return {
    ok: true,
    request: {
      source: 'azure',
      requestId,
      ...(subscriptionId ? { subscriptionId } : { decideInPortal: true }),
      ...(listedIn ? { listedIn } : {}),
      status,
      justification: p.justification,
      resourceIds: p.requestedResourceIds ?? splitIds(p.resourceIds ?? p.resourceId),
      resourceType: p.resourceType,
      supportRequest: p.supportRequest,
      supportCaseUrl: safeLink(p.supportCaseUrl),
      workItemSource: p.workitemsource ?? p.workItemSource,
      accessLevel: p.accessLevel,
      ...duration,
      createdAt,
      expiresAt,
      ...(incomplete.length ? { incomplete } : {}),
      raw,
    },
  };
}

const REQUEST_ARM_ID = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.CustomerLockbox\/requests\/[^/]+$/i;

/**
 * Whose request this is, in Microsoft's own words only: the record's `properties.subscriptionId` and its ARM id
 * `/subscriptions/{sub}/providers/Microsoft.CustomerLockbox/requests/{id}`, never the listing it came in.
 * Both absent, in disagreement, or an id of another shape: no subscription. Such a request is then the tenant's
 * (Global Administrator only) and, as Azure has no tenant-scoped updateApproval, decided in the portal: an Owner
 * of the listing's subscription must not decide through the bot what Microsoft would not let them decide.
 */
function ownSubscription(armId: string | undefined, property: string | undefined): string | undefined {
  const own = property?.trim() || undefined;
  if (armId === undefined) return own;
  const fromId = REQUEST_ARM_ID.exec(armId.trim())?.[1];
  if (!fromId) return undefined;
  if (own === undefined) return fromId;
  return own.toLowerCase() === fromId.toLowerCase() ? own : undefined;
}

/** An RFC 3339 time; one without a zone is ambiguous, so it is not guessed at and counts as incomplete. */
function readTime(value: string | undefined): { ok: true; iso: string } | { ok: false } {
  if (!value) return { ok: false };
  if (rfc3339.safeParse(value).success) return { ok: true, iso: new Date(value).toISOString() };
  return { ok: false };
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
