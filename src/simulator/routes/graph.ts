import { graphError } from '../errors';
import { parseEqualities, queryParam } from '../odata';
import { paginate } from '../paging';
import { ReplyError, type RequestContext, type Router } from '../router';
import type { DirectoryRoleAssignment, DirectoryUser, SimulatedTenant } from '../tenant';
import type { RouteDeps } from './deps';

const ROLE_FILTER_FIELDS = ['principalid', 'roledefinitionid', 'directoryscopeid'];
const USER_FIELDS = ['id', 'displayName', 'userPrincipalName', 'mail'] as const;

function unsupported(ctx: RequestContext, message: string): ReplyError {
  return new ReplyError(graphError(ctx, 400, 'Request_UnsupportedQuery', message));
}

function roleFilter(ctx: RequestContext, requirePrincipal: boolean): Map<string, string> {
  const filter = queryParam(ctx.url, '$filter');
  const clauses = filter === undefined ? new Map<string, string>() : parseEqualities(filter);
  if (!clauses || [...clauses.keys()].some((k) => !ROLE_FILTER_FIELDS.includes(k))) {
    throw unsupported(ctx, `Unsupported $filter '${filter}'. Use principalId, roleDefinitionId or directoryScopeId eq '<value>', joined by and.`);
  }
  if (requirePrincipal && !clauses.has('principalid')) throw unsupported(ctx, "This request requires a $filter on principalId, e.g. principalId eq '{id}'.");
  return clauses;
}

function matchingAssignments(tenant: SimulatedTenant, clauses: Map<string, string>): DirectoryRoleAssignment[] {
  const scope = clauses.get('directoryscopeid');
  if (scope !== undefined && scope !== '/') return [];
  return tenant
    .listDirectoryRoleAssignments({ principalId: clauses.get('principalid'), roleDefinitionId: clauses.get('roledefinitionid') })
    .sort((a, b) => a.seq - b.seq);
}

function badSkipToken(ctx: RequestContext): () => ReplyError {
  return () => new ReplyError(graphError(ctx, 400, 'Request_BadRequest', 'The $skiptoken is not valid.'));
}

function principalOf(user: DirectoryUser | undefined, principalId: string): Record<string, unknown> {
  return user
    ? { '@odata.type': '#microsoft.graph.user', id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName }
    : { '@odata.type': '#microsoft.graph.directoryObject', id: principalId };
}

/** Per the reference: without `ConsistencyLevel: eventual` Graph does not find this segment at all. */
const MISSING_CONSISTENCY_LEVEL = { status: 404, code: 'Request_ResourceNotFound', message: "Resource not found for the segment 'transitiveRoleAssignments'." };

export function registerGraphRoutes(router: Router, { tenant, pageSize }: RouteDeps): void {
  router.on('GET', '/beta/roleManagement/directory/transitiveRoleAssignments', (ctx) => {
    const consistency = ctx.headers['consistencylevel'];
    if (typeof consistency !== 'string' || consistency.toLowerCase() !== 'eventual') {
      const { status, code, message } = MISSING_CONSISTENCY_LEVEL;
      return graphError(ctx, status, code, message);
    }
    const all = matchingAssignments(tenant, roleFilter(ctx, true));
    const page = paginate(ctx, all, pageSize, badSkipToken(ctx));
    const withCount = queryParam(ctx.url, '$count')?.toLowerCase() === 'true';
    return {
      status: 200,
      body: {
        '@odata.context': `${ctx.origin}/beta/$metadata#roleManagement/directory/transitiveRoleAssignments`,
        ...(withCount ? { '@odata.count': all.length } : {}),
        ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
        value: page.items.map((a) => ({
          id: a.id, principalId: a.principalId, roleDefinitionId: a.roleDefinitionId, directoryScopeId: a.directoryScopeId, appScopeId: null,
        })),
      },
    };
  });

  for (const version of ['v1.0', 'beta']) {
    router.on('GET', `/${version}/roleManagement/directory/roleAssignments`, (ctx) => {
      const expand = queryParam(ctx.url, '$expand');
      if (expand !== undefined && expand.trim().toLowerCase() !== 'principal') throw unsupported(ctx, `Unsupported $expand '${expand}'. Only principal is supported.`);
      const page = paginate(ctx, matchingAssignments(tenant, roleFilter(ctx, false)), pageSize, badSkipToken(ctx));
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.origin}/${version}/$metadata#roleManagement/directory/roleAssignments${expand ? '(principal())' : ''}`,
          ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
          value: page.items.map((a) => ({
            id: a.id,
            principalId: a.principalId,
            roleDefinitionId: a.roleDefinitionId,
            directoryScopeId: a.directoryScopeId,
            ...(expand ? { principal: principalOf(tenant.findUser(a.principalId), a.principalId) } : {}),
          })),
        },
      };
    });

    router.on('GET', `/${version}/users/:userId`, (ctx) => {
      const key = ctx.params.userId ?? '';
      const user = tenant.findUser(key);
      if (!user) {
        return graphError(ctx, 404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
      }
      const full: Record<string, unknown> = { ...user, mail: user.userPrincipalName };
      const select = queryParam(ctx.url, '$select');
      const fields = select ? select.split(',').map((f) => f.trim()).filter((f) => f.length > 0) : [...USER_FIELDS];
      const body: Record<string, unknown> = {
        '@odata.context': `${ctx.origin}/${version}/$metadata#users${select ? `(${fields.join(',')})` : ''}/$entity`,
      };
      // A real user has many more properties; the ones not simulated read as null, as unset ones do in Graph.
      for (const field of fields) body[field] = full[field] ?? null;
      return { status: 200, body };
    });
  }
}
