import { graphError } from '../errors';
import { parseEqualities, queryParam } from '../odata';
import { paginate } from '../paging';
import { ReplyError, type Reply, type RequestContext, type Router } from '../router';
import type { DirectoryGroup, DirectoryObject, DirectoryRoleAssignment, DirectoryUser, SimulatedTenant } from '../tenant';
import type { RouteDeps } from './deps';
import { DIRECTORY_ROLES } from '../../domain/roles';
import { createHash } from 'node:crypto';

const ROLE_FILTER_FIELDS = ['principalid', 'roledefinitionid', 'directoryscopeid'];
const USER_FIELDS = ['id', 'displayName', 'userPrincipalName', 'mail'] as const;
const GROUP_FIELDS = ['id', 'displayName', 'description', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled', 'groupTypes', 'isAssignableToRole'] as const;
/** The OData casts a group's transitiveMembers take here, by lower-cased segment. */
const MEMBER_CASTS: Record<string, { kind: DirectoryObject['kind']; entitySet: string }> = {
  'microsoft.graph.user': { kind: 'user', entitySet: 'users' },
  'microsoft.graph.group': { kind: 'group', entitySet: 'groups' },
};
const MAX_TOP = 999;

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

/** Direct assignments and those held through (nested) groups, which name the group as principalId. */
function matchingTransitiveAssignments(tenant: SimulatedTenant, clauses: Map<string, string>): DirectoryRoleAssignment[] {
  const scope = clauses.get('directoryscopeid');
  const principalId = clauses.get('principalid');
  if ((scope !== undefined && scope !== '/') || principalId === undefined) return [];
  return tenant.listTransitiveDirectoryRoleAssignments({ principalId, roleDefinitionId: clauses.get('roledefinitionid') });
}

function isEventual(ctx: RequestContext): boolean {
  const consistency = ctx.headers['consistencylevel'];
  return typeof consistency === 'string' && consistency.toLowerCase() === 'eventual';
}

function selectedFields(ctx: RequestContext): string[] | undefined {
  const select = queryParam(ctx.url, '$select');
  return select === undefined ? undefined : select.split(',').map((f) => f.trim()).filter((f) => f.length > 0);
}

function notFound(ctx: RequestContext, key: string): ReplyError {
  return new ReplyError(graphError(ctx, 404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`));
}

function badSkipToken(ctx: RequestContext): () => ReplyError {
  return () => new ReplyError(graphError(ctx, 400, 'Request_BadRequest', 'The $skiptoken is not valid.'));
}

function principalOf(object: DirectoryObject | undefined, principalId: string): Record<string, unknown> {
  if (object?.kind === 'user') {
    const { user } = object;
    return { '@odata.type': '#microsoft.graph.user', id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName };
  }
  if (object?.kind === 'group') return { '@odata.type': '#microsoft.graph.group', id: object.group.id, displayName: object.group.displayName };
  return { '@odata.type': '#microsoft.graph.directoryObject', id: principalId };
}

function userProperties(user: DirectoryUser): Record<string, unknown> {
  return { ...user, mail: user.userPrincipalName };
}

function groupProperties(group: DirectoryGroup): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    description: null,
    mail: null,
    mailEnabled: false,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, ''),
    securityEnabled: true,
    groupTypes: [],
    isAssignableToRole: group.isAssignableToRole,
  };
}

/** Selected properties (all simulated ones by default); unset ones read as null, as in Graph. */
function renderObject(object: DirectoryObject, fields: string[] | undefined, withType: boolean): Record<string, unknown> {
  const full = object.kind === 'user' ? userProperties(object.user) : groupProperties(object.group);
  const names = fields ?? (object.kind === 'user' ? USER_FIELDS : GROUP_FIELDS);
  const body: Record<string, unknown> = withType ? { '@odata.type': `#microsoft.graph.${object.kind}` } : {};
  for (const name of names) body[name] = full[name] ?? null;
  return body;
}

function pageSizeOf(ctx: RequestContext, fallback: number): number {
  const top = queryParam(ctx.url, '$top');
  if (top === undefined) return fallback;
  const n = Number(top);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOP) {
    throw new ReplyError(graphError(ctx, 400, 'Request_BadRequest', `Invalid page size specified: '${top}'. Must be between 1 and ${MAX_TOP} inclusive.`));
  }
  return n;
}

function expandsPrincipal(ctx: RequestContext): boolean {
  const expand = queryParam(ctx.url, '$expand');
  if (expand !== undefined && expand.trim().toLowerCase() !== 'principal') throw unsupported(ctx, `Unsupported $expand '${expand}'. Only principal is supported.`);
  return expand !== undefined;
}

/** One active assignment as roleAssignmentScheduleInstances shows it (v1.0's published example, field for field). */
function scheduleInstance(tenant: SimulatedTenant, a: DirectoryRoleAssignment, expand: boolean): Record<string, unknown> {
  return {
    id: a.id,
    principalId: a.principalId,
    roleDefinitionId: a.roleDefinitionId,
    directoryScopeId: a.directoryScopeId,
    appScopeId: null,
    startDateTime: a.startDateTime,
    endDateTime: a.endDateTime,
    assignmentType: a.assignmentType,
    memberType: 'Direct',
    roleAssignmentOriginId: a.id,
    roleAssignmentScheduleId: a.id,
    ...(expand ? { principal: principalOf(tenant.findDirectoryObject(a.principalId), a.principalId) } : {}),
  };
}

/** A directoryRole object has its own id in each tenant, unlike its template id: derived here, stable. */
function directoryRoleObject(roleTemplateId: string): Record<string, unknown> {
  const hex = createHash('sha256').update(`directoryRole:${roleTemplateId}`).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  const name = Object.values(DIRECTORY_ROLES).find((r) => r.id === roleTemplateId)?.name ?? null;
  return { '@odata.type': '#microsoft.graph.directoryRole', id, displayName: name, description: null, roleTemplateId };
}

/** Per the reference: without `ConsistencyLevel: eventual` Graph does not find this segment at all. */
const MISSING_CONSISTENCY_LEVEL = { status: 404, code: 'Request_ResourceNotFound', message: "Resource not found for the segment 'transitiveRoleAssignments'." };

export function registerGraphRoutes(router: Router, { tenant, pageSize }: RouteDeps): void {
  router.on('GET', '/beta/roleManagement/directory/transitiveRoleAssignments', (ctx) => {
    if (!isEventual(ctx)) {
      const { status, code, message } = MISSING_CONSISTENCY_LEVEL;
      return graphError(ctx, status, code, message);
    }
    const all = matchingTransitiveAssignments(tenant, roleFilter(ctx, true));
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
            ...(expand ? { principal: principalOf(tenant.findDirectoryObject(a.principalId), a.principalId) } : {}),
          })),
        },
      };
    });

    router.on('GET', `/${version}/roleManagement/directory/roleAssignmentScheduleInstances`, (ctx) => {
      const expand = expandsPrincipal(ctx);
      const clauses = roleFilter(ctx, false);
      const scope = clauses.get('directoryscopeid');
      const all = scope !== undefined && scope !== '/' ? [] : tenant.listActiveDirectoryRoleInstances({ principalId: clauses.get('principalid'), roleDefinitionId: clauses.get('roledefinitionid') });
      const page = paginate(ctx, all, pageSize, badSkipToken(ctx));
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.origin}/${version}/$metadata#roleManagement/directory/roleAssignmentScheduleInstances${expand ? '(principal())' : ''}`,
          ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
          value: page.items.map((a) => scheduleInstance(tenant, a, expand)),
        },
      };
    });

    /*
     * The user's groups, through nesting, and the directory roles held at "/" (directly or through a
     * role-assignable group), as directoryObjects with their @odata.type; no cast or $filter here.
     */
    router.on('GET', `/${version}/users/:userId/transitiveMemberOf`, (ctx) => {
      for (const option of ['$filter', '$search', '$orderby', '$expand', '$count']) {
        if (queryParam(ctx.url, option) !== undefined) throw unsupported(ctx, `The simulator does not support ${option} on transitiveMemberOf.`);
      }
      const key = ctx.params.userId ?? '';
      const user = tenant.findUser(key);
      if (!user) throw notFound(ctx, key);
      const groups = tenant.listGroupsAbove(user.id).map((g) => ({ '@odata.type': '#microsoft.graph.group', ...groupProperties(g) }));
      const roleIds = [...new Set(tenant.listTransitiveDirectoryRoleAssignments({ principalId: user.id }).map((a) => a.roleDefinitionId))];
      const objects = [...groups, ...roleIds.map(directoryRoleObject)].map((o, i) => ({ seq: i + 1, o }));
      const fields = selectedFields(ctx);
      const page = paginate(ctx, objects, pageSizeOf(ctx, pageSize), badSkipToken(ctx));
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.origin}/${version}/$metadata#directoryObjects${fields ? `(${fields.join(',')})` : ''}`,
          ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
          value: page.items.map(({ o }) => (fields ? Object.fromEntries([['@odata.type', o['@odata.type']], ...fields.map((f) => [f, (o as Record<string, unknown>)[f] ?? null])]) : o)),
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

    /*
     * Everyone in a group through nesting, each once, users and groups alike; the cast segment keeps
     * one kind. The docs list the cast among advanced queries (ConsistencyLevel: eventual and
     * $count=true); the simulator answers it either way, and $count=true needs the header.
     */
    const transitiveMembers = (ctx: RequestContext, cast: string | undefined): Reply => {
      const target = cast !== undefined && Object.hasOwn(MEMBER_CASTS, cast.toLowerCase()) ? MEMBER_CASTS[cast.toLowerCase()] : undefined;
      if (cast !== undefined && !target) {
        throw unsupported(ctx, `The OData cast '${cast}' is not a supported member type. Use microsoft.graph.user or microsoft.graph.group.`);
      }
      for (const option of ['$filter', '$search', '$orderby', '$expand']) {
        if (queryParam(ctx.url, option) !== undefined) throw unsupported(ctx, `The simulator does not support ${option} on transitiveMembers.`);
      }
      const withCount = queryParam(ctx.url, '$count')?.toLowerCase() === 'true';
      if (withCount && !isEventual(ctx)) return graphError(ctx, 400, 'Request_BadRequest', '$count is not currently supported.');
      const size = pageSizeOf(ctx, pageSize);
      const groupId = ctx.params.groupId ?? '';
      const members = tenant.listTransitiveMembers(groupId);
      if (!members) throw notFound(ctx, groupId);
      const all = target ? members.filter((m) => m.kind === target.kind) : members;
      const fields = selectedFields(ctx);
      const page = paginate(ctx, all, size, badSkipToken(ctx));
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.origin}/${version}/$metadata#${target?.entitySet ?? 'directoryObjects'}${fields ? `(${fields.join(',')})` : ''}`,
          ...(withCount ? { '@odata.count': all.length } : {}),
          ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
          value: page.items.map((m) => renderObject(m, fields, target === undefined)),
        },
      };
    };
    router.on('GET', `/${version}/groups/:groupId/transitiveMembers`, (ctx) => transitiveMembers(ctx, undefined));
    router.on('GET', `/${version}/groups/:groupId/transitiveMembers/:cast`, (ctx) => transitiveMembers(ctx, ctx.params.cast ?? ''));
  }
}
