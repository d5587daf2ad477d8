import { armError } from '../errors';
import { queryParam } from '../odata';
import { ReplyError, type RequestContext } from '../router';
import type { SimulatedTenant } from '../tenant';

export function requireApiVersion(ctx: RequestContext, supported: readonly string[]): string {
  const version = queryParam(ctx.url, 'api-version');
  if (version === undefined || version === '') {
    throw new ReplyError(armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."));
  }
  if (!supported.includes(version)) {
    throw new ReplyError(armError(400, 'InvalidApiVersionParameter',
      `The api-version '${version}' is invalid. The supported versions are '${supported.join(',')}'.`));
  }
  return version;
}

export function requireSubscription(ctx: RequestContext, tenant: SimulatedTenant): string {
  const requested = ctx.params.subscriptionId ?? '';
  const subscription = tenant.findSubscription(requested);
  if (subscription === undefined) throw new ReplyError(armError(404, 'SubscriptionNotFound', `The subscription '${requested}' could not be found.`));
  return subscription;
}

export function badSkipToken(): ReplyError {
  return new ReplyError(armError(400, 'InvalidSkipToken', 'The $skiptoken is not one this service issued.'));
}
