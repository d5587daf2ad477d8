import {
  AuthenticationConstants,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';
import { BoundedMap } from '../runtime/bounded-map';

/** Teams answers from a handful of service URLs (one a region); more than this are dropped oldest first. */
export const MAX_REUSED_CLIENTS = 32;

/**
 * botbuilder builds a new ConnectorClient (a whole HTTP pipeline) and a user-token client for every turn,
 * which costs more CPU than answering a click. This keeps them: connector clients per app id, service URL
 * and audience, incoming and proactive turns apart, and the user-token client per app id. Every request is
 * still authenticated by the inner authentication, exactly as before. Proactive turns are the messenger's,
 * which paces and retries each send itself, so their clients are kept without the client's own retry policy
 * (the messenger takes it out too); incoming turns keep theirs.
 */
export class ReusedClientsAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new BoundedMap<string, Promise<ConnectorClient>>(MAX_REUSED_CLIENTS);
  private readonly proactiveConnectors = new BoundedMap<string, Promise<ConnectorClient>>(MAX_REUSED_CLIENTS);
  private readonly userTokenClients = new BoundedMap<string, Promise<UserTokenClient>>(MAX_REUSED_CLIENTS);

  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    const factory = result.connectorFactory;
    if (!factory) return result;
    return { ...result, connectorFactory: new ReusingConnectorFactory(factory, appIdOf(result.claimsIdentity), this.connectors, (client) => client) };
  }

  override authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new ReusingConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), appIdOf(claimsIdentity), this.proactiveConnectors, withoutRetries);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return kept(this.userTokenClients, appIdOf(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}

class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly clients: BoundedMap<string, Promise<ConnectorClient>>,
    private readonly prepare: (client: ConnectorClient) => ConnectorClient,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return kept(this.clients, JSON.stringify([this.appId, serviceUrl, audience ?? null]), async () => this.prepare(await this.inner.create(serviceUrl, audience)));
  }
}

/** The policy botbuilder's clients retry 429s, 5xx and dropped connections with, unpaced. */
export const CLIENT_RETRY_POLICY = 'defaultRetryPolicy';

type Pipelined = { client?: { pipeline?: { getOrderedPolicies(): { name: string }[]; removePolicy(policy: { name: string }): unknown } } };

/** Takes the client's own retry policy out of its pipeline, if it is there (asking is cheap; removing makes the pipeline sort its policies again). */
export function withoutRetries(client: ConnectorClient): ConnectorClient {
  const pipeline = (client as unknown as Pipelined).client?.pipeline;
  if (pipeline?.getOrderedPolicies().some((policy) => policy.name === CLIENT_RETRY_POLICY)) pipeline.removePolicy({ name: CLIENT_RETRY_POLICY });
  return client;
}

/** The app id botbuilder builds a turn's clients for: the token's audience, or its appid claim (as its own getAppId reads them). */
function appIdOf(claims: ClaimsIdentity): string {
  return claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claims.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/** The client kept under `key`, or one made now and kept; one whose making failed is not kept. */
function kept<T>(clients: BoundedMap<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const found = clients.get(key);
  if (found) return found;
  const made = make();
  clients.set(key, made);
  made.catch(() => clients.peek(key) === made && clients.delete(key));
  return made;
}
