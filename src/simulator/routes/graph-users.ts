import { graphError } from '../errors';
import { queryParam } from '../odata';
import type { Router } from '../router';
import type { RouteDeps } from './deps';

const CLAUSE = /^\s*(mail|userPrincipalName)\s+eq\s+'((?:[^']|'')*)'\s*$/i;

/**
 * GET /v1.0/users?$filter=mail eq '…' [or userPrincipalName eq '…'] — finding people by address, as the bot
 * does for a support case's contact. Simulated users' mail is their userPrincipalName.
 */
export function registerGraphUserSearchRoutes(router: Router, { tenant }: RouteDeps): void {
  for (const version of ['v1.0', 'beta']) {
    router.on('GET', `/${version}/users`, (ctx) => {
      const filter = queryParam(ctx.url, '$filter') ?? '';
      const clauses = filter.split(/\s+or\s+/i).map((c) => CLAUSE.exec(c));
      if (!filter.trim() || clauses.some((c) => !c)) {
        return graphError(ctx, 400, 'Request_UnsupportedQuery', `Unsupported $filter '${filter}'. Use mail eq '<address>' or userPrincipalName eq '<address>', joined by or.`);
      }
      const wanted = clauses.map((c) => c![2]!.replace(/''/g, "'").toLowerCase());
      const value = tenant.listUsers()
        .filter((u) => wanted.includes(u.userPrincipalName.toLowerCase()))
        .map((u) => ({ id: u.id, displayName: u.displayName, mail: u.userPrincipalName, userPrincipalName: u.userPrincipalName }));
      return { status: 200, body: { '@odata.context': `${ctx.origin}/${version}/$metadata#users`, value } };
    });
  }
}
