import { armError } from '../errors';
import { queryParam } from '../odata';
import { paginate } from '../paging';
import { ReplyError, type RequestContext, type Router } from '../router';
import type { AzureRoleAssignment } from '../tenant';
import { badSkipToken, requireApiVersion, requireSubscription } from './arm-guards';
import type { RouteDeps } from './deps';

export const RBAC_API_VERSION = '2022-04-01';

/**
 * The simulated tenant has assignments at the subscription and inherited from a management group above it,
 * none below, so atScope() ("at or above") selects them all. assignedTo() follows the principal's groups.
 */
function principalFilter(ctx: RequestContext): { principal?: string; transitive: boolean } {
  const filter = queryParam(ctx.url, '$filter');
  if (filter === undefined || filter.trim() === '') return { transitive: false };
  let principal: string | undefined;
  let transitive = false;
  for (const clause of filter.split(/\s+and\s+/i).map((c) => c.trim())) {
    const assignedTo = /^assignedTo\('([^']+)'\)$/i.exec(clause);
    const principalId = /^principalId\s+eq\s+'([^']+)'$/i.exec(clause);
    if (assignedTo) [principal, transitive] = [assignedTo[1], true];
    else if (principalId) principal = principalId[1];
    else if (!/^atScope\(\)$/i.test(clause)) {
      throw new ReplyError(armError(400, 'UnsupportedQuery',
        `Unsupported $filter '${filter}'. Supported: atScope(), assignedTo('{objectId}'), principalId eq '{objectId}', joined by and.`, { target: '$filter' }));
    }
  }
  return { principal, transitive };
}

function toArm(a: AzureRoleAssignment): Record<string, unknown> {
  const scope = a.managementGroupId ? `/providers/Microsoft.Management/managementGroups/${a.managementGroupId}` : `/subscriptions/${a.subscriptionId}`;
  return {
    properties: {
      roleDefinitionId: `${a.managementGroupId ? '' : scope}/providers/Microsoft.Authorization/roleDefinitions/${a.roleDefinitionId}`,
      principalId: a.principalId,
      principalType: a.principalType,
      scope,
      condition: null,
      conditionVersion: null,
      createdOn: a.createdOn,
      updatedOn: a.createdOn,
    },
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
    type: 'Microsoft.Authorization/roleAssignments',
    name: a.name,
  };
}

export function registerRbacRoutes(router: Router, { tenant, pageSize }: RouteDeps): void {
  router.on('GET', '/subscriptions/:subscriptionId/providers/Microsoft.Authorization/roleAssignments', (ctx) => {
    requireApiVersion(ctx, [RBAC_API_VERSION]);
    const subscriptionId = requireSubscription(ctx, tenant);
    const { principal, transitive } = principalFilter(ctx);
    const assignments = tenant.listAzureRoleAssignments(subscriptionId, principal, transitive).sort((a, b) => a.seq - b.seq);
    const page = paginate(ctx, assignments, pageSize, badSkipToken);
    return { status: 200, body: { value: page.items.map(toArm), ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
  });
}
