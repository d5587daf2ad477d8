/*
 * Microsoft Graph for Teams apps: the tenant app catalog (the bot's app only) and apps installed in
 * a user's personal scope. A successful install makes the TeamsChannel send the bot the
 * conversationUpdate Teams would.
 */
import { graphError } from '../errors';
import { parseEqualities, queryParam } from '../odata';
import { paginate } from '../paging';
import { ReplyError, type RequestContext, type Router } from '../router';
import type { TeamsAppInstallation, TeamsCatalogApp } from '../tenant';
import type { RouteDeps } from './deps';

const CATALOG_FILTER_FIELDS = ['id', 'externalid', 'displayname', 'distributionmethod'];
const INSTALLED_FILTER_FIELDS = ['teamsapp/id', 'teamsapp/externalid'];
const INSTALLED_EXPANDS = ['teamsapp', 'teamsappdefinition'];
const BIND = 'teamsApp@odata.bind';
const APP_VERSION = '1.0.0';

function badRequest(ctx: RequestContext, message: string): ReplyError {
  return new ReplyError(graphError(ctx, 400, 'BadRequest', message));
}

/** `a eq 'x' and …` over the given (lower-cased) property names. */
function equalityFilter(ctx: RequestContext, allowed: string[]): Map<string, string> {
  const filter = queryParam(ctx.url, '$filter');
  if (filter === undefined) return new Map();
  const clauses = parseEqualities(filter);
  if (!clauses || [...clauses.keys()].some((k) => !allowed.includes(k))) {
    throw badRequest(ctx, `Unsupported $filter '${filter}'. The simulator takes ${allowed.join(', ')} eq '<value>', joined by and.`);
  }
  return clauses;
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function toGraphApp(app: TeamsCatalogApp): Record<string, unknown> {
  return { id: app.id, externalId: app.externalId, displayName: app.displayName, distributionMethod: app.distributionMethod };
}

function appDefinition(app: TeamsCatalogApp): Record<string, unknown> {
  return {
    id: Buffer.from(`${app.id}##${APP_VERSION}`, 'utf8').toString('base64'),
    teamsAppId: app.id,
    displayName: app.displayName,
    version: APP_VERSION,
  };
}

function catalogMatches(app: TeamsCatalogApp, clauses: Map<string, string>): boolean {
  const values: Record<string, string> = { id: app.id, externalid: app.externalId, displayname: app.displayName, distributionmethod: app.distributionMethod };
  return [...clauses].every(([k, v]) => sameText(values[k] ?? '', v));
}

/** The catalog id at the end of https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{id}. */
function boundAppId(ctx: RequestContext, raw: string): string {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw badRequest(ctx, 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  const bind = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[BIND] : undefined;
  const match = typeof bind === 'string' ? /\/appCatalogs\/teamsApps\/([^/?#]+)\/?$/i.exec(bind) : null;
  if (!match) throw badRequest(ctx, `The body must be {"${BIND}":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{teamsAppId}"}.`);
  return decodeURIComponent(match[1] as string);
}

function userNotFound(ctx: RequestContext, key: string): ReplyError {
  return new ReplyError(graphError(ctx, 404, 'NotFound', `User '${key}' was not found in the tenant.`));
}

export function registerTeamworkRoutes(router: Router, { tenant, pageSize, teams, logger }: RouteDeps): void {
  for (const version of ['v1.0', 'beta']) {
    router.on('GET', `/${version}/appCatalogs/teamsApps`, (ctx) => {
      const expand = queryParam(ctx.url, '$expand');
      if (expand !== undefined) throw badRequest(ctx, `The simulator does not support $expand '${expand}' on teamsApps.`);
      const clauses = equalityFilter(ctx, CATALOG_FILTER_FIELDS);
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.origin}/${version}/$metadata#appCatalogs/teamsApps`,
          value: tenant.listTeamsApps().filter((app) => catalogMatches(app, clauses)).map(toGraphApp),
        },
      };
    });

    router.on('POST', `/${version}/users/:userId/teamwork/installedApps`, async (ctx) => {
      const teamsAppId = boundAppId(ctx, await ctx.readBody());
      const key = ctx.params.userId ?? '';
      const result = tenant.installTeamsApp(key, teamsAppId);
      switch (result.outcome) {
        case 'unknown-user':
          throw userNotFound(ctx, key);
        case 'unknown-app':
          return graphError(ctx, 404, 'NotFound', `The app '${teamsAppId}' was not found in the tenant app catalog.`);
        case 'already-installed':
          return graphError(ctx, 409, 'Conflict', `The app '${teamsAppId}' is already installed for user '${result.installation.userId}'.`);
        case 'installed': {
          const { installation } = result;
          const user = tenant.findUser(installation.userId);
          const app = tenant.findTeamsApp(installation.teamsAppId);
          logger.info('simulator: Teams app installed for a user', { userId: installation.userId, teamsAppId: installation.teamsAppId });
          if (user && app) teams.botInstalledFor(user, app);
          return { status: 201 };
        }
      }
    });

    router.on('GET', `/${version}/users/:userId/teamwork/installedApps`, (ctx) => {
      const key = ctx.params.userId ?? '';
      const expand = (queryParam(ctx.url, '$expand') ?? '').split(',').map((e) => e.trim()).filter((e) => e.length > 0);
      const unknown = expand.find((e) => !INSTALLED_EXPANDS.includes(e.toLowerCase()));
      if (unknown !== undefined) throw badRequest(ctx, `Unsupported $expand '${unknown}'. The simulator expands teamsApp and teamsAppDefinition.`);
      const clauses = equalityFilter(ctx, INSTALLED_FILTER_FIELDS);
      const installations = tenant.listInstalledApps(key);
      if (!installations) throw userNotFound(ctx, key);
      const withApp = installations
        .map((installation) => ({ installation, app: tenant.findTeamsApp(installation.teamsAppId) }))
        .filter((x): x is { installation: TeamsAppInstallation; app: TeamsCatalogApp } => x.app !== undefined)
        .filter(({ app }) => [...clauses].every(([k, v]) => sameText(k === 'teamsapp/id' ? app.id : app.externalId, v)))
        .map(({ installation, app }) => ({ seq: installation.seq, installation, app }));
      const page = paginate(ctx, withApp, pageSize, () => badRequest(ctx, 'The $skiptoken is not valid.'));
      const expands = new Set(expand.map((e) => e.toLowerCase()));
      const userId = tenant.findUser(key)?.id ?? key;
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.origin}/${version}/$metadata#users('${userId}')/teamwork/installedApps${expand.length ? `(${expand.map((e) => `${e}()`).join(',')})` : ''}`,
          ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
          value: page.items.map(({ installation, app }) => ({
            id: installation.id,
            ...(expands.has('teamsapp') ? { teamsApp: toGraphApp(app) } : {}),
            ...(expands.has('teamsappdefinition') ? { teamsAppDefinition: appDefinition(app) } : {}),
          })),
        },
      };
    });
  }
}
