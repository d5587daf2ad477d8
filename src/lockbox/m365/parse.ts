import { z } from 'zod';
import type { Logger } from '../../domain/ports';
import type { LockboxRequest } from '../../domain/request';
import { safeLink } from '../links';

/** A Microsoft 365 request nobody acts on expires 12 hours after it was made. */
export const M365_REQUEST_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * Microsoft does not document what Get-AccessToCustomerDataRequest outputs, so each domain field is
 * read from the first of several plausible names (case-insensitive), most likely first. See
 * test/fixtures/m365/README.md for which names are documented and which are assumed.
 */
const FIELDS = {
  requestId: ['RequestId', 'ReferenceNumber', 'Reference', 'RequestNumber'],
  identity: ['Identity', 'Id', 'Guid'],
  status: ['ApprovalStatus', 'Status', 'RequestStatus', 'State'],
  createdAt: [
    'CreatedTime', 'CreationTime', 'CreatedDateTime', 'CreatedDate', 'CreatedOn', 'CreateTime',
    'RequestedTime', 'RequestTime', 'RequestDate', 'SubmittedTime', 'StartTime', 'WhenCreatedUTC', 'WhenCreated',
  ],
  expiresAt: [
    'ExpiryTime', 'ExpirationTime', 'ExpiryDateTime', 'ExpirationDateTime', 'ExpiryDate', 'ExpirationDate',
    'Expiry', 'Expiration', 'ExpiresOn', 'ExpiresAt', 'ExpireTime',
  ],
  justification: ['Comment', 'Reason', 'Justification', 'Description', 'RequestReason', 'RequestDetails', 'Details'],
  service: ['ServiceName', 'Service', 'Workload'],
  resources: ['Resources', 'Resource', 'ResourceIds', 'ResourceId', 'Mailbox', 'Mailboxes', 'TargetMailbox', 'Target', 'Site', 'SiteUrl'],
  supportRequest: [
    'SupportTicketId', 'SupportTicket', 'SupportTicketNumber', 'SupportRequest', 'SupportRequestId', 'ServiceRequestId',
    'ServiceRequestNumber', 'SupportCaseId', 'SupportCaseNumber', 'CaseNumber', 'CaseId', 'TicketId', 'IncidentId',
  ],
  supportCaseUrl: ['SupportCaseUrl', 'SupportTicketUrl', 'CaseUrl'],
  duration: ['AccessDuration', 'Duration', 'RequestedDuration', 'AccessDurationInHours', 'DurationInHours', 'AccessPeriod'],
  accessLevel: ['AccessLevel', 'AccessType', 'Permission', 'Permissions', 'AccessRights'],
  requester: ['RequestorDisplayName', 'Requestor', 'RequestedBy', 'Requester'],
} as const;

/** Read but not mapped (the domain has no place for them): who decided, and what every Exchange object carries. */
const KNOWN_UNMAPPED = [
  'Type', 'RequestType', 'Name',
  'ApprovedBy', 'Approver', 'DecidedBy', 'ApprovalTime', 'DecisionTime', 'LastModifiedTime', 'ModifiedTime',
  'IsValid', 'ObjectState', 'ExchangeVersion', 'DistinguishedName', 'OrganizationId', 'OrganizationalUnitRoot',
  'OriginatingServer', 'WhenChanged', 'WhenChangedUTC', 'ExchangeObjectId', 'PSComputerName', 'RunspaceId', 'PSShowComputerName',
];

const KNOWN = new Set([...Object.values(FIELDS).flat(), ...KNOWN_UNMAPPED].map((k) => k.toLowerCase()));

/** Approval statuses as the domain spells them. */
const STATUSES: Record<string, string> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
  rejected: 'Denied',
  canceled: 'Canceled',
  cancelled: 'Canceled',
  expired: 'Expired',
};

/** The -ServiceName values Set-AccessToCustomerDataRequest accepts, by the names a record might use. */
const SERVICES: Record<string, string> = {
  eop: 'EOP',
  exchange: 'Exchange',
  exchangeonline: 'Exchange',
  sharepoint: 'SharePoint',
  sharepointonline: 'SharePoint',
  onedrive: 'SharePoint',
  onedriveforbusiness: 'SharePoint',
  teams: 'Teams',
  microsoftteams: 'Teams',
};

const text = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1))
  .optional()
  .catch(undefined);

const textList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (Array.isArray(v) ? v.map(String) : v.split(/[,;]/)).map((s) => s.trim()).filter(Boolean))
  .catch([]);

const date = z.unknown().transform(parseExoDate).catch(undefined);

const record = z.object({
  requestId: text,
  identity: text,
  status: text,
  createdAt: date,
  expiresAt: date,
  justification: text,
  service: text,
  resources: textList,
  supportRequest: text,
  supportCaseUrl: text,
  duration: z.union([z.number(), z.string()]).optional().catch(undefined),
  accessLevel: text,
  requester: text,
});

export type ParseResult = { ok: true; request: LockboxRequest } | { ok: false; id: string; error: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first candidate present with a value; annotations such as `CreatedTime@data.type` are never candidates. */
function pick(raw: Json, candidates: readonly string[]): unknown {
  const byName = new Map(Object.keys(raw).filter((k) => !k.includes('@')).map((k) => [k.toLowerCase(), k]));
  for (const candidate of candidates) {
    const key = byName.get(candidate.toLowerCase());
    const value = key === undefined ? undefined : raw[key];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

function read(raw: Json): z.infer<typeof record> {
  const fields = Object.fromEntries(Object.entries(FIELDS).map(([name, candidates]) => [name, pick(raw, candidates)]));
  return record.parse(fields);
}

export interface ParseContext {
  /** It came from a listing filtered on Pending, so an empty status means Pending. */
  listedAsPending?: boolean;
  /** When the bot read it: a record with no usable time at all is placed around this moment. */
  seenAt?: Date;
}

/**
 * Maps one Get-AccessToCustomerDataRequest record; the record itself is kept as `raw`. A record missing a
 * non-essential field (status, creation or expiry time, or a time without a zone) is kept with what is known
 * and says which were missing; only one without an id cannot be followed.
 */
export function parseM365Request(raw: unknown, context: ParseContext = {}): ParseResult {
  if (!isObject(raw)) return { ok: false, id: '(no id)', error: 'the record is not an object' };
  const r = read(raw);
  const requestId = r.requestId ?? r.identity;
  if (!requestId) return { ok: false, id: '(no id)', error: 'no request id (RequestId or Identity)' };
  const incomplete: string[] = [];
  if (!r.status) incomplete.push('ApprovalStatus');
  const status = r.status ? STATUSES[r.status.toLowerCase()] ?? r.status : context.listedAsPending ? 'Pending' : 'Unknown';
  // A time without a zone could be hours off either way: not guessed at, but taken from the other time when there is
  // one (a request lives 12 hours, so one time gives the other exactly). Given but unreadable, or both absent, is incomplete.
  const createdGiven = pick(raw, FIELDS.createdAt);
  const expiresGiven = pick(raw, FIELDS.expiresAt);
  const created = zoned(createdGiven) ? r.createdAt : undefined;
  const expires = zoned(expiresGiven) ? r.expiresAt : undefined;
  if (!created && (createdGiven !== undefined || !expires)) incomplete.push('CreatedTime');
  if (!expires && (expiresGiven !== undefined || !created)) incomplete.push('ExpiryTime');
  const times = lifetime(created, expires, context.seenAt);
  if (!times) return { ok: false, id: requestId, error: 'no readable creation or expiry time (CreatedTime, ExpiryTime, …)' };
  return {
    ok: true,
    request: {
      source: 'm365',
      requestId,
      status,
      justification: r.justification,
      resourceIds: r.resources,
      resourceType: r.service,
      supportRequest: r.supportRequest,
      supportCaseUrl: safeLink(r.supportCaseUrl),
      accessLevel: r.accessLevel,
      requester: r.requester,
      ...parseDuration(r.duration),
      ...times,
      ...(incomplete.length ? { incomplete } : {}),
      raw,
    },
  };
}

/**
 * Creation and expiry, one from the other (a request lives 12 hours). With neither, a Pending request was made
 * within the last 12 hours: the earliest creation possible (so the role rule stays as strict) and the latest expiry.
 */
function lifetime(created: string | undefined, expires: string | undefined, seenAt: Date | undefined): { createdAt: string; expiresAt: string } | undefined {
  if (created || expires) {
    const createdAt = created ?? shift(expires!, -M365_REQUEST_LIFETIME_MS);
    return { createdAt, expiresAt: expires ?? shift(createdAt, M365_REQUEST_LIFETIME_MS) };
  }
  if (!seenAt) return undefined;
  const at = seenAt.toISOString();
  return { createdAt: shift(at, -M365_REQUEST_LIFETIME_MS), expiresAt: shift(at, M365_REQUEST_LIFETIME_MS) };
}

/** ISO text must carry its zone; "/Date(ms)/", numbers and PowerShell's US text are read as documented (UTC). */
function zoned(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_DATE.test(value.trim())) return true;
  return Boolean(ISO_DATE.exec(value.trim())![1]);
}

/** The -ServiceName to send with a decision, when the request names a service the cmdlet knows. */
export function serviceNameFor(request: LockboxRequest): string | undefined {
  const named = isObject(request.raw) ? text.parse(pick(request.raw, FIELDS.service)) : undefined;
  const service = named ?? request.resourceType;
  return service === undefined ? undefined : SERVICES[service.toLowerCase().replace(/[\s_-]/g, '')];
}

/**
 * Parses records and warns once per new shape (distinct set of field names) that carries fields
 * the bot does not know, so a change in what Exchange Online outputs shows up in the logs.
 */
export class M365RecordParser {
  private readonly warnedShapes = new Set<string>();

  constructor(private readonly logger: Logger, private readonly maxShapes = 100) {}

  parse(raw: unknown, context: ParseContext = {}): ParseResult {
    if (isObject(raw)) this.noteShape(raw);
    return parseM365Request(raw, context);
  }

  private noteShape(raw: Json): void {
    const fields = Object.keys(raw).filter((k) => !k.includes('@')).sort();
    const unknown = fields.filter((k) => !KNOWN.has(k.toLowerCase()));
    const shape = fields.join('\n');
    if (unknown.length === 0 || this.warnedShapes.has(shape) || this.warnedShapes.size >= this.maxShapes) return;
    this.warnedShapes.add(shape);
    this.logger.warn('A Microsoft 365 lockbox request has fields the bot does not map; they are kept in the raw record', { unknownFields: unknown, fields });
  }
}

function shift(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

const MS_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AP]M))?)?$/i;

/**
 * EXO REST writes dates as ISO strings (often with seven fractional digits), as "/Date(ms)/", or as
 * PowerShell's US text; a time without a zone is taken as UTC. Answers an ISO string or undefined.
 */
export function parseExoDate(value: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) {
    ms = Math.abs(value) < 1e11 ? value * 1000 : value;
  } else if (typeof value === 'string') {
    const s = value.trim();
    const msDate = MS_DATE.exec(s);
    const iso = ISO_DATE.exec(s);
    const us = US_DATE.exec(s);
    if (msDate) ms = Number(msDate[1]);
    else if (iso) ms = Date.parse(iso[1] ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}${s.length > 10 ? 'Z' : 'T00:00:00Z'}`);
    else if (us) {
      const [, month, day, year, hour = '0', minute = '0', second = '0', half] = us;
      const h = Number(hour) % (half ? 12 : 24) + (half?.toUpperCase() === 'PM' ? 12 : 0);
      ms = Date.UTC(Number(year), Number(month) - 1, Number(day), h, Number(minute), Number(second));
    }
  }
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  return year >= 2000 && year < 2200 ? d.toISOString() : undefined;
}

/** AccessDuration may be hours, "hh:mm:ss", "d.hh:mm:ss" or ISO 8601 "PT4H". */
function parseDuration(value: number | string | undefined): { durationHours?: number; durationText?: string } {
  if (value === undefined) return {};
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? { durationHours: value } : {};
  const s = value.trim();
  if (s === '') return {};
  if (/^\d+(\.\d+)?$/.test(s)) return { durationHours: Number(s) };
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (span) return { durationHours: round(Number(span[1] ?? 0) * 24 + Number(span[2]) + Number(span[3]) / 60 + Number(span[4] ?? 0) / 3600) };
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s);
  if (iso && s.length > 1 && !/T$/i.test(s)) {
    return { durationHours: round(Number(iso[1] ?? 0) * 24 + Number(iso[2] ?? 0) + Number(iso[3] ?? 0) / 60 + Number(iso[4] ?? 0) / 3600) };
  }
  return { durationText: s };
}

function round(hours: number): number {
  return Math.round(hours * 100) / 100;
}
