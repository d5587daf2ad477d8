import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * Bearer tokens asked of the credential for every request (the credential keeps its own cache), and
 * one more try with a token asked again when the service answers `status`: Graph's activity feed
 * answers 412 when the token expires in under 45 minutes. A second such answer is the caller's to handle.
 */
export function freshTokenPolicy(credential: TokenCredential, scope: string, status: number, allowUrl: (url: string) => boolean): PipelinePolicy {
  return {
    name: 'freshTokenPolicy',
    async sendRequest(request, next) {
      if (!allowUrl(request.url)) throw new Error(`Refusing to send a token over plain HTTP to ${new URL(request.url).host}`);
      const authorize = async () => {
        const token = await credential.getToken(scope);
        if (token) request.headers.set('authorization', `Bearer ${token.token}`);
      };
      await authorize();
      const response = await next(request);
      if (response.status !== status) return response;
      await authorize();
      return next(request);
    },
  };
}
