import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** Stands in for a real credential when the endpoints are the simulator, which accepts any bearer token. */
export class SimulatorCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'simulated-tenant-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
