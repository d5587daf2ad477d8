import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { Clock } from '../domain/ports';
import { systemClock } from '../runtime/clock';
import { AzureCliCredential, DefaultAzureCredential, EnvironmentCredential, ManagedIdentityCredential } from '@azure/identity';

/** Stands in for a real credential when the endpoints are the simulator, which accepts any bearer token. */
export class SimulatorCredential implements TokenCredential {
  constructor(private readonly clock: Clock = systemClock) {}

  async getToken(_scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    // A token asked for with claims (after a claims challenge) is a fresh one, and says so.
    return { token: options?.claims ? 'simulated-tenant-token-with-claims' : 'simulated-tenant-token', expiresOnTimestamp: this.clock.now().getTime() + 3_600_000 };
  }
}

export type CredentialKind = 'default' | 'managed-identity' | 'environment' | 'cli';

/**
 * How the bot signs in to Azure, Graph and Exchange Online. `default` tries the usual chain
 * (environment, managed identity, Azure CLI…); the others pin one, which makes a failure clearer.
 */
export function createCredential(kind: CredentialKind, managedIdentityClientId?: string): TokenCredential {
  switch (kind) {
    case 'managed-identity':
      return managedIdentityClientId ? new ManagedIdentityCredential({ clientId: managedIdentityClientId }) : new ManagedIdentityCredential();
    case 'environment':
      return new EnvironmentCredential();
    case 'cli':
      return new AzureCliCredential();
    default:
      return new DefaultAzureCredential(managedIdentityClientId ? { managedIdentityClientId } : {});
  }
}
