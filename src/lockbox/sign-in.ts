import { UpstreamSignIn } from '../domain/errors';
import type { JsonResponse } from '../http/json-client';

/**
 * A 401 that is still there after the pipeline answered a claims challenge with a fresh token: says
 * which of the two it was, since the fixes differ (Conditional Access policy vs the app's credential).
 */
export function signInRefused(what: string, response: JsonResponse): UpstreamSignIn {
  const challenge = /insufficient_claims/i.test(response.headers['www-authenticate'] ?? '');
  return new UpstreamSignIn(
    challenge
      ? `${what}: Microsoft asked for a fresh sign-in (a claims challenge, e.g. from Conditional Access) and refused the fresh token too; check the policies that apply to the bot's identity`
      : `${what}: Microsoft refused the bot's sign-in (HTTP 401); check its credential`,
    challenge,
  );
}
