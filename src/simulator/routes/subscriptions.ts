import { paginate } from '../paging';
import type { Router } from '../router';
import { badSkipToken, requireApiVersion } from './arm-guards';
import type { RouteDeps } from './deps';

export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';

/** ARM's GET /subscriptions: every subscription the caller can see, as the bot discovers them. */
export function registerSubscriptionRoutes(router: Router, { tenant, pageSize }: RouteDeps): void {
  router.on('GET', '/subscriptions', (ctx) => {
    requireApiVersion(ctx, [SUBSCRIPTIONS_API_VERSION, '2020-01-01', '2022-01-01']);
    const all = tenant.listSubscriptions().map((subscriptionId, seq) => ({ seq, subscriptionId }));
    const page = paginate(ctx, all, pageSize, badSkipToken);
    const value = page.items.map(({ subscriptionId }) => ({
      id: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      tenantId: tenant.tenantId,
      displayName: tenant.subscriptionName(subscriptionId),
      state: 'Enabled',
      subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
      authorizationSource: 'RoleBased',
      managedByTenants: [],
    }));
    return { status: 200, body: { value, count: { type: 'Total', value: all.length }, ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
  });
}
