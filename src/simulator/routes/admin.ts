/*
 * Admin API of the simulated tenant: drives the scenarios that, in the real cloud, a Microsoft
 * engineer or a person in the portal would cause. Never authenticated, never recorded as a call.
 * JSON in, JSON out; malformed input answers 400 {error:{code,message,details?}}.
 *
 *   GET    /_simulator/healthz                         → 200 {ok:true}
 *   POST   /_simulator/lockbox/requests                body optional: any request property
 *          (requestId, subscriptionId, justification, status, createdDateTime, expirationDateTime, duration,
 *          resourceIds (string or array), resourceType, supportRequest, supportCaseUrl, workitemsource, accessLevel)
 *                                                     → 201 the ARM-shaped request (unset properties are generated)
 *   POST   /_simulator/lockbox/tenant-requests         body optional: as above without subscriptionId → 201 a
 *          tenant-scoped request (no subscriptionId; id /providers/Microsoft.CustomerLockbox/requests/{id}), which,
 *          as in Azure, no subscription's list, get or updateApproval returns: only this admin API shows it
 *   GET    /_simulator/lockbox/requests                → 200 {value:[ARM-shaped request…]} across subscriptions and the tenant
 *   GET    /_simulator/lockbox/requests/{requestId}    → 200 {request, decisions:[{status, reason, at}]}
 *   POST   /_simulator/lockbox/requests/{requestId}/status  body {status}  → 200 as GET; a change made
 *          in the portal, so it records no decision
 *   POST   /_simulator/m365/requests                   body optional: any of the fields Get-AccessToCustomerDataRequest
 *          outputs (RequestId, Identity, ApprovalStatus, ServiceName, CreatedTime, ExpiryTime, Requestor, Comment,
 *          Resources (string or array), SupportTicketId, AccessDuration (hours))
 *                                                     → 201 the record as Get- outputs it (unset fields are generated;
 *          ExpiryTime defaults to CreatedTime + 12 h)
 *   GET    /_simulator/m365/requests                   → 200 {value:[record…]}
 *   GET    /_simulator/m365/requests/{requestId}       → 200 {request, decisions:[{decision, comment, at}]}
 *   POST   /_simulator/m365/requests/{requestId}/status  body {status}  → 200 as GET; a change made in the
 *          Microsoft 365 admin center, so it records no decision
 *   PUT    /_simulator/m365/app-only-decisions  body {allowed}  → 200 the same; with false, Exchange refuses the
 *          bot's Set-AccessToCustomerDataRequest for lack of rights (HTTP 403), as it may in a real tenant
 *   PUT    /_simulator/directory/users/{userId}/roles/{roleTemplateId}  → 200 {userId, roleDefinitionId, assigned:true}
 *   DELETE /_simulator/directory/users/{userId}/roles/{roleTemplateId}  → 200 {…, assigned:false, wasAssigned}
 *   PUT    /_simulator/azure/subscriptions/{sub}/users/{userId}/roles/{roleDefinitionId}  → the same, for Azure RBAC
 *   DELETE /_simulator/azure/subscriptions/{sub}/users/{userId}/roles/{roleDefinitionId}
 *   GET    /_simulator/groups                          → 200 {value:[{id, displayName, isAssignableToRole, members:[id…],
 *          directoryRoles:[roleTemplateId…]}]}; members are the direct ones
 *   PUT    /_simulator/groups/{groupId}/members/{memberId}  memberId a user (object id or UPN) or a group
 *                                                     → 200 {groupId, memberId, member:true, wasMember}; 404 for an
 *          unknown group or member, 400 for a group joining itself, and 400 GroupNestingNotAllowed for a group
 *          joining a role-assignable group (Entra allows only users there). Takes effect at once for
 *          transitiveRoleAssignments and transitiveMembers
 *   DELETE /_simulator/groups/{groupId}/members/{memberId}  → 200 {groupId, memberId, member:false, wasMember}
 *   PUT    /_simulator/teams   body {botEndpoint (http(s) URL of the bot's /api/messages), serviceUrl}
 *                                                     → 200 the same; from then on each successful
 *          POST /v1.0/users/{id}/teamwork/installedApps makes the simulator POST the bot, as Teams does, a personal
 *          conversationUpdate (membersAdded: the bot), after answering 201; no token, no retries, failures logged
 *   GET    /_simulator/teams                           → 200 {botEndpoint, serviceUrl (null when unset),
 *          deliveries:[{at, type, userId, botEndpoint, status? | error?}] (the last 50, oldest first)}
 *   DELETE /_simulator/teams                           → 204; installations stop reaching the bot
 *   GET    /_simulator/calls                           → 200 [{method, path, query, at, status, cmdlet?, anchorMailbox?}]
 *          upstream calls, oldest first; cmdlet and anchorMailbox (the X-AnchorMailbox header) on Exchange calls
 *   DELETE /_simulator/calls                           → 204
 *   POST   /_simulator/faults  body {method?, path (regex source, tested on the path without query), cmdlet?,
 *          status?, times? (default 1), skip? (matching calls let through first), retryAfterSeconds?, delayMs?, body?, headers?, reset? (drop the connection)}  → 201 the fault; status may be left
 *          out when delayMs is set, to slow calls down without failing them; cmdlet limits it to Exchange admin API
 *          calls running that cmdlet (they all share /adminapi/beta/{tenantId}/InvokeCommand)
 *   GET    /_simulator/teams/notifications             → 200 {value:[{at, userId, activityType, previewText, topic, templateParameters}]}
 *          the activity-feed notifications received (POST /v1.0/teamwork/sendActivityNotificationToRecipients); DELETE clears
 *   GET    /_simulator/pagerduty/events                → 200 {value:[{at, routingKeyEnd, event_action, dedup_key, payload?, links?,
 *          client?, client_url?}]} the events POST /v2/enqueue accepted, oldest first; DELETE clears
 *   GET    /_simulator/pagerduty/alerts                → 200 {value:[{dedup_key, status (triggered|acknowledged|resolved),
 *          severity, summary, events}]} the alerts those events make, as PagerDuty would show them
 *   GET    /_simulator/faults                          → 200 the faults not yet spent
 *   DELETE /_simulator/faults                          → 204
 */
import { z } from 'zod';
import { adminError } from '../errors';
import { LOCKBOX_STATUSES, toArmRequest, type LockboxRequestRecord } from '../lockbox-model';
import { M365_SERVICES, M365_STATUSES, toExoRecord, type M365RequestRecord } from '../m365-model';
import { ReplyError, type Reply, type RequestContext, type Router } from '../router';
import type { DirectoryGroup, DirectoryObject } from '../tenant';
import type { RouteDeps } from './deps';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = z.string().min(1);
const dateTime = z.string().datetime({ offset: true });

const createRequestSchema = z
  .object({
    requestId: text,
    subscriptionId: text,
    justification: text,
    status: z.enum(LOCKBOX_STATUSES),
    createdDateTime: dateTime,
    expirationDateTime: dateTime,
    duration: z.union([text, z.number().positive()]).transform(String),
    resourceIds: z.union([text, z.array(text).min(1)]).transform((v) => (Array.isArray(v) ? v.join(',') : v)),
    resourceType: text,
    supportRequest: text,
    supportCaseUrl: text,
    workitemsource: text,
    accessLevel: text,
  })
  .partial()
  .strict();

const statusSchema = z.object({ status: z.enum(LOCKBOX_STATUSES) }).strict();

const createM365Schema = z
  .object({
    RequestId: z.string().regex(/^[A-Za-z0-9-]+$/, 'letters, digits and dashes, e.g. EXSR123456'),
    Identity: z.string().regex(GUID, 'must be a GUID'),
    ApprovalStatus: z.enum(M365_STATUSES),
    ServiceName: z.enum(M365_SERVICES),
    CreatedTime: dateTime,
    ExpiryTime: dateTime,
    Requestor: text,
    Comment: text,
    Resources: z.union([text, z.array(text)]).transform((v) => (Array.isArray(v) ? v : [v])),
    SupportTicketId: text,
    AccessDuration: z.number().positive().max(24),
  })
  .partial()
  .strict();

const m365StatusSchema = z.object({ status: z.enum(M365_STATUSES) }).strict();

const httpUrl = z.string().refine((u) => URL.canParse(u) && /^https?:$/i.test(new URL(u).protocol), 'must be an http or https URL');
const teamsSchema = z.object({ botEndpoint: httpUrl, serviceUrl: httpUrl }).strict();

const faultSchema = z
  .object({
    method: z.string().regex(/^[A-Za-z]+$/, 'must be an HTTP method').transform((m) => m.toUpperCase()).optional(),
    path: z.string().min(1).refine(isRegExp, 'must be a valid regular expression source'),
    query: z.string().min(1).refine(isRegExp, 'must be a valid regular expression source').optional(),
    cmdlet: z.string().regex(/^[A-Za-z]+-[A-Za-z0-9]+$/, 'must be a cmdlet name, e.g. Get-AccessToCustomerDataRequest').optional(),
    status: z.number().int().min(100).max(599).optional(),
    times: z.number().int().positive().default(1),
    skip: z.number().int().nonnegative().optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    delayMs: z.number().int().nonnegative().max(120_000).optional(),
    body: z.unknown().optional(),
    reset: z.boolean().optional(),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4096)).optional(),
  })
  .strict()
  .refine((f) => f.status !== undefined || f.delayMs !== undefined || f.reset, 'give a status, a delayMs, reset, or a mix');

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

async function parseBody<T extends z.ZodTypeAny>(ctx: RequestContext, schema: T, emptyAs?: unknown): Promise<z.output<T>> {
  const raw = await ctx.readBody();
  let json: unknown = emptyAs;
  if (raw.trim() !== '') {
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new ReplyError(adminError(400, 'InvalidJson', `The body is not JSON: ${(err as Error).message}`));
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new ReplyError(adminError(400, 'InvalidInput', `Invalid input: ${details.join('; ')}`, details));
  }
  return parsed.data as z.output<T>;
}

function guidParam(ctx: RequestContext, name: string): string {
  const value = ctx.params[name] ?? '';
  if (!GUID.test(value)) throw new ReplyError(adminError(400, 'InvalidInput', `${name} must be a GUID, got '${value}'.`));
  return value;
}

function requestView(record: LockboxRequestRecord): Reply {
  return { status: 200, body: { request: toArmRequest(record), decisions: record.decisions } };
}

function m365View(record: M365RequestRecord): Reply {
  return { status: 200, body: { request: toExoRecord(record), decisions: record.decisions } };
}

export function registerAdminRoutes(router: Router, { tenant, calls, faults, logger, teams, pagerDuty }: RouteDeps): void {
  const requireUser = (ctx: RequestContext): string => {
    const user = tenant.findUser(ctx.params.userId ?? '');
    if (!user) throw new ReplyError(adminError(404, 'UserNotFound', `No user '${ctx.params.userId}' in the simulated tenant.`));
    return user.id;
  };

  router.on('GET', '/_simulator/healthz', () => ({ status: 200, body: { ok: true } }));

  router.on('POST', '/_simulator/lockbox/requests', async (ctx) => {
    const input = await parseBody(ctx, createRequestSchema, {});
    if (input.subscriptionId !== undefined && tenant.findSubscription(input.subscriptionId) === undefined) {
      return adminError(400, 'UnknownSubscription',
        `Subscription '${input.subscriptionId}' is not in the simulated tenant; known: ${tenant.listSubscriptions().join(', ')}.`);
    }
    if (input.requestId !== undefined && tenant.getRequest(input.requestId)) {
      return adminError(409, 'RequestExists', `A request with id '${input.requestId}' exists already.`);
    }
    const record = tenant.createRequest(input);
    logger.info('simulator: lockbox request created', { requestId: record.requestId, status: record.status });
    return { status: 201, body: toArmRequest(record) };
  });

  router.on('POST', '/_simulator/lockbox/tenant-requests', async (ctx) => {
    const input = await parseBody(ctx, createRequestSchema.omit({ subscriptionId: true }), {});
    if (input.requestId !== undefined && tenant.getRequest(input.requestId)) {
      return adminError(409, 'RequestExists', `A request with id '${input.requestId}' exists already.`);
    }
    const record = tenant.createTenantRequest(input);
    logger.info('simulator: tenant-scoped lockbox request created', { requestId: record.requestId, status: record.status });
    return { status: 201, body: toArmRequest(record) };
  });

  router.on('GET', '/_simulator/lockbox/requests', () => ({ status: 200, body: { value: tenant.listRequests().map(toArmRequest) } }));

  router.on('GET', '/_simulator/lockbox/requests/:requestId', (ctx) => {
    const record = tenant.getRequest(ctx.params.requestId ?? '');
    return record ? requestView(record) : adminError(404, 'RequestNotFound', `No request '${ctx.params.requestId}'.`);
  });

  router.on('POST', '/_simulator/lockbox/requests/:requestId/status', async (ctx) => {
    const { status } = await parseBody(ctx, statusSchema);
    const record = tenant.setRequestStatus(ctx.params.requestId ?? '', status);
    return record ? requestView(record) : adminError(404, 'RequestNotFound', `No request '${ctx.params.requestId}'.`);
  });

  router.on('POST', '/_simulator/m365/requests', async (ctx) => {
    const input = await parseBody(ctx, createM365Schema, {});
    if (input.RequestId !== undefined && tenant.getM365Request(input.RequestId)) {
      return adminError(409, 'RequestExists', `A Microsoft 365 request with id '${input.RequestId}' exists already.`);
    }
    const record = tenant.createM365Request({
      requestId: input.RequestId,
      identity: input.Identity,
      approvalStatus: input.ApprovalStatus,
      serviceName: input.ServiceName,
      createdTime: input.CreatedTime,
      expiryTime: input.ExpiryTime,
      requestor: input.Requestor,
      comment: input.Comment,
      resources: input.Resources,
      supportTicketId: input.SupportTicketId,
      accessDurationHours: input.AccessDuration,
    });
    logger.info('simulator: Microsoft 365 lockbox request created', { requestId: record.requestId, status: record.approvalStatus });
    return { status: 201, body: toExoRecord(record) };
  });

  router.on('GET', '/_simulator/m365/requests', () => ({ status: 200, body: { value: tenant.listM365Requests().map(toExoRecord) } }));

  router.on('GET', '/_simulator/m365/requests/:requestId', (ctx) => {
    const record = tenant.getM365Request(ctx.params.requestId ?? '');
    return record ? m365View(record) : adminError(404, 'RequestNotFound', `No Microsoft 365 request '${ctx.params.requestId}'.`);
  });

  router.on('PUT', '/_simulator/m365/app-only-decisions', async (ctx) => {
    const { allowed } = await parseBody(ctx, z.object({ allowed: z.boolean() }));
    tenant.setM365AppOnlyDecisions(allowed);
    return { status: 200, body: { allowed } };
  });

  router.on('POST', '/_simulator/m365/requests/:requestId/status', async (ctx) => {
    const { status } = await parseBody(ctx, m365StatusSchema);
    const record = tenant.setM365RequestStatus(ctx.params.requestId ?? '', status);
    return record ? m365View(record) : adminError(404, 'RequestNotFound', `No Microsoft 365 request '${ctx.params.requestId}'.`);
  });

  router.on('PUT', '/_simulator/directory/users/:userId/roles/:roleTemplateId', (ctx) => {
    const roleDefinitionId = guidParam(ctx, 'roleTemplateId');
    const userId = requireUser(ctx);
    tenant.grantDirectoryRole(userId, roleDefinitionId);
    return { status: 200, body: { userId, roleDefinitionId, assigned: true } };
  });

  // A PIM activation, now: Graph's schedule instance says when the active assignment started.
  router.on('PUT', '/_simulator/directory/users/:userId/roles/:roleTemplateId/activation', (ctx) => {
    const roleDefinitionId = guidParam(ctx, 'roleTemplateId');
    const userId = requireUser(ctx);
    const { startDateTime, endDateTime } = tenant.activateDirectoryRole(userId, roleDefinitionId);
    return { status: 200, body: { userId, roleDefinitionId, assignmentType: 'Activated', startDateTime, endDateTime } };
  });

  router.on('DELETE', '/_simulator/directory/users/:userId/roles/:roleTemplateId', (ctx) => {
    const roleDefinitionId = guidParam(ctx, 'roleTemplateId');
    const userId = requireUser(ctx);
    const wasAssigned = tenant.revokeDirectoryRole(userId, roleDefinitionId);
    return { status: 200, body: { userId, roleDefinitionId, assigned: false, wasAssigned } };
  });

  const azureRole = '/_simulator/azure/subscriptions/:subscriptionId/users/:userId/roles/:roleDefinitionId';
  const azureTarget = (ctx: RequestContext): { subscriptionId: string; userId: string; roleDefinitionId: string } => {
    const roleDefinitionId = guidParam(ctx, 'roleDefinitionId');
    const subscriptionId = tenant.findSubscription(ctx.params.subscriptionId ?? '');
    if (subscriptionId === undefined) throw new ReplyError(adminError(404, 'UnknownSubscription', `No subscription '${ctx.params.subscriptionId}'.`));
    return { subscriptionId, userId: requireUser(ctx), roleDefinitionId };
  };

  router.on('PUT', azureRole, (ctx) => {
    const target = azureTarget(ctx);
    tenant.grantAzureRole(target.subscriptionId, target.userId, target.roleDefinitionId);
    return { status: 200, body: { ...target, assigned: true } };
  });

  router.on('DELETE', azureRole, (ctx) => {
    const target = azureTarget(ctx);
    const wasAssigned = tenant.revokeAzureRole(target.subscriptionId, target.userId, target.roleDefinitionId);
    return { status: 200, body: { ...target, assigned: false, wasAssigned } };
  });

  router.on('GET', '/_simulator/groups', () => ({
    status: 200,
    body: {
      value: tenant.listGroups().map((g) => ({
        ...g,
        directoryRoles: tenant.listDirectoryRoleAssignments({ principalId: g.id }).map((a) => a.roleDefinitionId),
      })),
    },
  }));

  const membership = (ctx: RequestContext): { groupId: string; memberId: string; group: DirectoryGroup; member: DirectoryObject } => {
    const group = tenant.findGroup(ctx.params.groupId ?? '');
    if (!group) throw new ReplyError(adminError(404, 'GroupNotFound', `No group '${ctx.params.groupId}' in the simulated tenant.`));
    const member = tenant.findDirectoryObject(ctx.params.memberId ?? '');
    if (!member) throw new ReplyError(adminError(404, 'MemberNotFound', `No user or group '${ctx.params.memberId}' in the simulated tenant.`));
    return { groupId: group.id, memberId: member.kind === 'user' ? member.user.id : member.group.id, group, member };
  };

  router.on('PUT', '/_simulator/groups/:groupId/members/:memberId', (ctx) => {
    const { groupId, memberId, group, member } = membership(ctx);
    if (groupId === memberId) return adminError(400, 'InvalidInput', `Group '${groupId}' cannot be a member of itself.`);
    if (group.isAssignableToRole && member.kind === 'group') {
      return adminError(400, 'GroupNestingNotAllowed',
        `Group '${memberId}' (${member.group.displayName}) cannot be a member of '${groupId}' (${group.displayName}): ` +
        'it is role-assignable, and Entra does not allow a group as a member of a role-assignable group. Add its users instead.');
    }
    const wasMember = tenant.addGroupMember(groupId, memberId);
    return { status: 200, body: { groupId, memberId, member: true, wasMember } };
  });

  router.on('DELETE', '/_simulator/groups/:groupId/members/:memberId', (ctx) => {
    const { groupId, memberId } = membership(ctx);
    const wasMember = tenant.removeGroupMember(groupId, memberId);
    return { status: 200, body: { groupId, memberId, member: false, wasMember } };
  });

  router.on('GET', '/_simulator/teams/notifications', () => ({ status: 200, body: { value: teams.listNotifications() } }));
  router.on('DELETE', '/_simulator/teams/notifications', () => {
    teams.clearNotifications();
    return { status: 204 };
  });
  router.on('PUT', '/_simulator/teams', async (ctx) => {
    const config = await parseBody(ctx, teamsSchema);
    teams.configure(config);
    logger.info('simulator: Teams installations now reach the bot', { botEndpoint: config.botEndpoint });
    return { status: 200, body: config };
  });
  router.on('GET', '/_simulator/teams', () => {
    const config = teams.current();
    return { status: 200, body: { botEndpoint: config?.botEndpoint ?? null, serviceUrl: config?.serviceUrl ?? null, deliveries: teams.listDeliveries() } };
  });
  router.on('DELETE', '/_simulator/teams', () => {
    teams.configure(undefined);
    return { status: 204 };
  });

  router.on('GET', '/_simulator/pagerduty/events', () => ({ status: 200, body: { value: pagerDuty.listEvents() } }));
  router.on('GET', '/_simulator/pagerduty/alerts', () => ({ status: 200, body: { value: pagerDuty.listAlerts() } }));
  router.on('DELETE', '/_simulator/pagerduty/events', () => {
    pagerDuty.clear();
    return { status: 204 };
  });

  router.on('GET', '/_simulator/calls', () => ({ status: 200, body: calls.list() }));
  router.on('DELETE', '/_simulator/calls', () => {
    calls.clear();
    return { status: 204 };
  });

  router.on('POST', '/_simulator/faults', async (ctx) => {
    const spec = await parseBody(ctx, faultSchema);
    return { status: 201, body: faults.add(spec) };
  });
  router.on('GET', '/_simulator/faults', () => ({ status: 200, body: faults.list() }));
  router.on('DELETE', '/_simulator/faults', () => {
    faults.clear();
    return { status: 204 };
  });
}
