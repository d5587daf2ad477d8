import { z } from 'zod';
import { armError } from '../errors';
import { APPROVAL_DECISIONS, LOCKBOX_STATUSES, matchStatus, toArmRequest, type LockboxStatus } from '../lockbox-model';
import { queryParam } from '../odata';
import { paginate } from '../paging';
import { ReplyError, type Reply, type RequestContext, type Router } from '../router';
import { badSkipToken, requireApiVersion, requireSubscription } from './arm-guards';
import type { RouteDeps } from './deps';

export const LOCKBOX_API_VERSION = '2018-02-28-preview';
const PROVIDER = '/providers/Microsoft.CustomerLockbox';
const REQUESTS = `/subscriptions/:subscriptionId${PROVIDER}/requests`;

const approvalSchema = z.object({
  status: z.enum(APPROVAL_DECISIONS),
  reason: z.string().optional(),
});

/** Only `properties/status eq '<Status>'` is supported, as the description says. */
function statusFilter(ctx: RequestContext): LockboxStatus | undefined {
  const filter = queryParam(ctx.url, '$filter');
  if (filter === undefined || filter.trim() === '') return undefined;
  const m = /^\s*properties\/status\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  const status = m ? matchStatus(m[1] as string) : undefined;
  if (!status) {
    throw new ReplyError(armError(400, 'InvalidFilter',
      `Unsupported $filter '${filter}'. Only properties/status eq '<status>' is supported, with one of ${LOCKBOX_STATUSES.join(', ')}.`, { target: '$filter' }));
  }
  return status;
}

/** The published list example asks for `$expand=properties`; the simulator answers properties either way, but refuses any other expansion. */
function checkExpand(ctx: RequestContext): void {
  const expand = queryParam(ctx.url, '$expand');
  if (expand === undefined || expand.trim().toLowerCase() === 'properties') return;
  throw new ReplyError(armError(400, 'InvalidExpand', `Unsupported $expand '${expand}'. Only properties is supported.`, { target: '$expand' }));
}

function parseApproval(text: string): z.infer<typeof approvalSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReplyError(armError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.'));
  }
  const parsed = approvalSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReplyError(armError(400, 'InvalidRequestContent',
      `The approval is invalid: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unreadable'}. Expected {"status":"Approve"|"Deny","reason":"..."}.`,
      { target: issue?.path.join('.') || 'approval' }));
  }
  return parsed.data;
}

function requestNotFound(requestId: string, subscriptionId: string): Reply {
  return armError(404, 'RequestNotFound', `The Lockbox request '${requestId}' was not found in subscription '${subscriptionId}'.`);
}

export function registerAzureLockboxRoutes(router: Router, { tenant, pageSize }: RouteDeps): void {
  router.on('GET', REQUESTS, (ctx) => {
    requireApiVersion(ctx, [LOCKBOX_API_VERSION]);
    const subscriptionId = requireSubscription(ctx, tenant);
    const status = statusFilter(ctx);
    checkExpand(ctx);
    const page = paginate(ctx, tenant.listRequests({ subscriptionId, status }), pageSize, badSkipToken);
    return { status: 200, body: { value: page.items.map(toArmRequest), ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
  });

  router.on('GET', `${REQUESTS}/:requestId`, (ctx) => {
    requireApiVersion(ctx, [LOCKBOX_API_VERSION]);
    const subscriptionId = requireSubscription(ctx, tenant);
    const requestId = ctx.params.requestId ?? '';
    const record = tenant.getRequest(requestId, subscriptionId);
    return record ? { status: 200, body: toArmRequest(record) } : requestNotFound(requestId, subscriptionId);
  });

  router.on('POST', `${REQUESTS}/:requestId/updateApproval`, async (ctx) => {
    requireApiVersion(ctx, [LOCKBOX_API_VERSION]);
    const subscriptionId = requireSubscription(ctx, tenant);
    const approval = parseApproval(await ctx.readBody());
    const requestId = ctx.params.requestId ?? '';
    const result = tenant.decide(subscriptionId, requestId, approval.status, approval.reason ?? '');
    if (result.outcome === 'not-found') return requestNotFound(requestId, subscriptionId);
    if (result.outcome === 'not-pending') {
      return armError(400, 'InvalidRequestState',
        `The Lockbox request '${requestId}' is ${result.currentStatus}; only a Pending request can be approved or denied.`,
        { target: 'status', additionalInfo: [{ type: 'LockboxRequestState', info: { currentStatus: result.currentStatus } }] });
    }
    return { status: 200, body: approval };
  });

  router.on('GET', `${PROVIDER}/tenantOptedIn/:tenantId`, (ctx) => {
    requireApiVersion(ctx, [LOCKBOX_API_VERSION]);
    const tenantId = ctx.params.tenantId ?? '';
    if (tenantId.toLowerCase() !== tenant.tenantId.toLowerCase()) {
      return armError(403, 'AuthorizationFailed', `The client is not authorized to read the Lockbox state of tenant '${tenantId}'.`);
    }
    return { status: 200, body: { isOptedIn: tenant.isLockboxEnabled() } };
  });

  for (const [action, enabled] of [['enableLockbox', true], ['disableLockbox', false]] as const) {
    router.on('POST', `${PROVIDER}/${action}`, (ctx) => {
      requireApiVersion(ctx, [LOCKBOX_API_VERSION]);
      tenant.setLockboxEnabled(enabled);
      return { status: 200 };
    });
  }
}
