/*
 * The Azure Support API (Microsoft.Support), as the bot uses it to tie a lockbox request to a case:
 *   GET  /subscriptions/{sub}/providers/Microsoft.Support/supportTickets?api-version=2024-04-01
 *        [&$filter=createdDate ge|gt <date> [and status eq '<status>']][&$top=1..100]  → {value:[ticket…], nextLink?}
 *   GET  /subscriptions/{sub}/providers/Microsoft.Support/supportTickets/{name}?api-version=2024-04-01 → ticket | 404
 *   POST /providers/Microsoft.Support/lookUpResourceId?api-version=2020-04-01
 *        body {supportTicketId} (the published example) or {identifier, type}  → {resourceId} | 404
 * A subscription made unreadable answers 403 AuthorizationFailed, as it would without Reader there;
 * lookUpResourceId answers 403 when the tenant-level action is withheld.
 *
 * Admin (never authenticated):
 *   POST /_simulator/support/tickets  body {subscriptionId?, supportTicketId?, name?, title?, status?, severity?,
 *        createdDate?, firstName?, lastName?, primaryEmailAddress?, serviceDisplayName?, description?} → 201 ticket
 *   GET  /_simulator/support/tickets  → {value:[ticket…]}
 *   POST /_simulator/support/tickets/{supportTicketId}/status  body {status}  → 200 ticket
 *   PUT  /_simulator/support/access  body {subscriptionId?, read?, lookUp?}  → 200 the same
 */
import { z } from 'zod';
import { adminError, armError } from '../errors';
import { queryParam } from '../odata';
import { paginate } from '../paging';
import { ReplyError, type RequestContext, type Router } from '../router';
import { SUPPORT_SEVERITIES, SUPPORT_STATUSES, ticketResourceId, toArmTicket, type SupportDesk } from '../support-model';
import { badSkipToken, requireApiVersion, requireSubscription } from './arm-guards';
import type { RouteDeps } from './deps';

export const SUPPORT_API_VERSIONS = ['2024-04-01', '2023-06-01-preview', '2022-09-01-preview', '2020-04-01'] as const;
const LOOKUP_API_VERSIONS = ['2020-04-01', '2020-01-01', '2024-04-01'];
const TICKETS = '/subscriptions/:subscriptionId/providers/Microsoft.Support/supportTickets';
const DEFAULT_TOP = 25;
const MAX_TOP = 100;

const dateTime = z.string().datetime({ offset: true });
const text = z.string().min(1).max(500);

const lookupSchema = z.union([
  z.object({ supportTicketId: text }).passthrough(),
  z.object({ identifier: text, type: z.literal('Microsoft.Support/supportTickets').optional() }).passthrough(),
]);

const createSchema = z
  .object({
    subscriptionId: text,
    supportTicketId: z.string().regex(/^\d{6,30}$/, 'digits, e.g. 2511280010001234'),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'letters, digits, - and _'),
    title: text,
    description: text,
    status: z.enum(SUPPORT_STATUSES),
    severity: z.enum(SUPPORT_SEVERITIES),
    createdDate: dateTime.transform((d) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z')),
    firstName: text,
    lastName: text,
    primaryEmailAddress: z.string().email(),
    serviceDisplayName: text,
  })
  .partial()
  .strict();

const statusSchema = z.object({ status: z.enum(SUPPORT_STATUSES) }).strict();
const accessSchema = z.object({ subscriptionId: text.optional(), read: z.boolean().optional(), lookUp: z.boolean().optional() }).strict();

function forbidden(action: string, scope: string): ReplyError {
  return new ReplyError(armError(403, 'AuthorizationFailed',
    `The client 'lockbox-bot' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`));
}

/** createdDate ge|gt <date> and status eq '<status>', in either order, as the description allows. */
function ticketFilter(ctx: RequestContext): { since?: { at: number; inclusive: boolean }; status?: string } {
  const filter = queryParam(ctx.url, '$filter')?.trim();
  if (!filter) return {};
  const result: { since?: { at: number; inclusive: boolean }; status?: string } = {};
  for (const clause of filter.split(/\s+and\s+/i)) {
    const created = /^createdDate\s+(ge|gt)\s+(\S+)$/i.exec(clause.trim());
    const status = /^status\s+eq\s+'([^']*)'$/i.exec(clause.trim());
    if (created && dateTime.safeParse(created[2]).success && !result.since) {
      result.since = { at: Date.parse(created[2]!), inclusive: created[1]!.toLowerCase() === 'ge' };
    } else if (status && !result.status) {
      result.status = status[1];
    } else {
      throw new ReplyError(armError(400, 'InvalidFilter',
        `Unsupported $filter '${filter}'. Use createdDate ge|gt <ISO 8601 date>, status eq '<status>', joined by and.`, { target: '$filter' }));
    }
  }
  return result;
}

function topOf(ctx: RequestContext): number {
  const top = queryParam(ctx.url, '$top');
  if (top === undefined) return DEFAULT_TOP;
  const n = Number(top);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOP) throw new ReplyError(armError(400, 'InvalidTop', `$top must be between 1 and ${MAX_TOP}, got '${top}'.`));
  return n;
}

function readable(desk: SupportDesk, subscriptionId: string): void {
  if (!desk.canRead(subscriptionId)) throw forbidden('Microsoft.Support/supportTickets/read', `/subscriptions/${subscriptionId}`);
}

async function json(ctx: RequestContext, onBad: (message: string) => ReplyError): Promise<unknown> {
  const raw = await ctx.readBody();
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw onBad(`The body is not JSON: ${(err as Error).message}`);
  }
}

export function registerSupportRoutes(router: Router, { tenant }: RouteDeps): void {
  const desk = tenant.support;

  router.on('GET', TICKETS, (ctx) => {
    requireApiVersion(ctx, SUPPORT_API_VERSIONS);
    const subscriptionId = requireSubscription(ctx, tenant);
    readable(desk, subscriptionId);
    const tickets = desk.list(subscriptionId, ticketFilter(ctx));
    const page = paginate(ctx, tickets, topOf(ctx), badSkipToken);
    return { status: 200, body: { value: page.items.map(toArmTicket), ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
  });

  router.on('GET', `${TICKETS}/:name`, (ctx) => {
    requireApiVersion(ctx, SUPPORT_API_VERSIONS);
    const subscriptionId = requireSubscription(ctx, tenant);
    readable(desk, subscriptionId);
    const name = ctx.params.name ?? '';
    const record = desk.get(subscriptionId, name);
    if (!record) {
      return armError(404, 'ResourceNotFound', `The Resource 'Microsoft.Support/supportTickets/${name}' under subscription '${subscriptionId}' was not found.`);
    }
    return { status: 200, body: toArmTicket(record) };
  });

  router.on('POST', '/providers/Microsoft.Support/lookUpResourceId', async (ctx) => {
    requireApiVersion(ctx, LOOKUP_API_VERSIONS);
    if (!desk.canLookUp()) throw forbidden('Microsoft.Support/lookUpResourceId/action', '/');
    const bad = (message: string) => new ReplyError(armError(400, 'InvalidRequestContent', message));
    const parsed = lookupSchema.safeParse(await json(ctx, bad));
    if (!parsed.success) throw bad('Expected {"supportTicketId":"<case number>"} or {"identifier":"<case number>","type":"Microsoft.Support/supportTickets"}.');
    const number = String('supportTicketId' in parsed.data ? parsed.data.supportTicketId : parsed.data.identifier);
    const record = desk.bySupportTicketId(number);
    if (!record) return armError(404, 'ResourceNotFound', `No support ticket '${number}' was found.`);
    return { status: 200, body: { resourceId: ticketResourceId(record) } };
  });
}

export function registerSupportAdminRoutes(router: Router, { tenant, logger }: RouteDeps): void {
  const desk = tenant.support;
  const parse = async <T extends z.ZodTypeAny>(ctx: RequestContext, schema: T): Promise<z.output<T>> => {
    const parsed = schema.safeParse(await json(ctx, (m) => new ReplyError(adminError(400, 'InvalidJson', m))));
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      throw new ReplyError(adminError(400, 'InvalidInput', `Invalid input: ${details.join('; ')}`, details));
    }
    return parsed.data as z.output<T>;
  };
  const known = (subscriptionId: string | undefined): string => {
    const found = subscriptionId === undefined ? tenant.listSubscriptions()[0] : tenant.findSubscription(subscriptionId);
    if (!found) throw new ReplyError(adminError(400, 'UnknownSubscription', `Subscription '${subscriptionId}' is not in the simulated tenant.`));
    return found;
  };

  router.on('POST', '/_simulator/support/tickets', async (ctx) => {
    const input = await parse(ctx, createSchema);
    if (input.supportTicketId && desk.bySupportTicketId(input.supportTicketId)) {
      return adminError(409, 'TicketExists', `A support case '${input.supportTicketId}' exists already.`);
    }
    const record = desk.create({ ...input, subscriptionId: known(input.subscriptionId) });
    logger.info('simulator: support case opened', { supportTicketId: record.supportTicketId, subscriptionId: record.subscriptionId });
    return { status: 201, body: toArmTicket(record) };
  });

  router.on('GET', '/_simulator/support/tickets', () => ({ status: 200, body: { value: desk.all().map(toArmTicket) } }));

  router.on('POST', '/_simulator/support/tickets/:supportTicketId/status', async (ctx) => {
    const { status } = await parse(ctx, statusSchema);
    const record = desk.setStatus(ctx.params.supportTicketId ?? '', status);
    return record ? { status: 200, body: toArmTicket(record) } : adminError(404, 'TicketNotFound', `No support case '${ctx.params.supportTicketId}'.`);
  });

  router.on('PUT', '/_simulator/support/access', async (ctx) => {
    const access = await parse(ctx, accessSchema);
    if (access.read !== undefined) desk.setReadable(known(access.subscriptionId), access.read);
    if (access.lookUp !== undefined) desk.setLookUpAllowed(access.lookUp);
    return { status: 200, body: access };
  });
}
