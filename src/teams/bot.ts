import { AuthenticationError, type AuthenticateRequestResult, type BotFrameworkAuthentication } from 'botframework-connector';
import { ActivityTypes, CallerIdConstants, StatusCodes, type Activity, type InvokeResponse, type TurnContext, ConfigurationServiceClientCredentialFactory, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { Clock, Logger } from '../domain/ports';
import { systemClock } from '../runtime/clock';
import type { TeamsDeps } from './deps';
import { registerHandlers } from './handlers';
import { ReusedClientsAuthentication } from './reused-clients';

export interface BotIdentity {
  id: string;
  password: string;
  tenantId: string;
  type: string;
  /** Sovereign clouds and tests (see BotSettings in config.ts); unset ones keep the public cloud's values. */
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
  loginUrl?: string;
}

/** botbuilder's public-cloud values (AuthenticationConstants); once any one is given it takes none by default. */
export const PUBLIC_BOT_FRAMEWORK = {
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: CallerIdConstants.PublicAzureChannel,
};

/** Without an app id (local mode) the adapter accepts unsigned activities; with one, every activity must carry a valid Bot Framework token. */
export function createAdapter(bot: BotIdentity, logger: Logger, clock: Clock = systemClock): LockboxAdapter {
  const cloud = bot.openIdMetadataUrl || bot.tokenIssuer || bot.loginUrl ? {
    ...PUBLIC_BOT_FRAMEWORK,
    ToBotFromChannelOpenIdMetadataUrl: bot.openIdMetadataUrl ?? PUBLIC_BOT_FRAMEWORK.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: bot.tokenIssuer ?? PUBLIC_BOT_FRAMEWORK.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: bot.loginUrl ?? PUBLIC_BOT_FRAMEWORK.ToChannelFromBotLoginUrl,
  } : {};
  const auth: Partial<ConfigurationBotFrameworkAuthenticationOptions> = bot.id
    ? { MicrosoftAppId: bot.id, MicrosoftAppPassword: bot.password, MicrosoftAppType: bot.type, MicrosoftAppTenantId: bot.tenantId, ...cloud }
    : {};
  // botbuilder would hand a custom login URL to MSAL, which asks Microsoft's public cloud to vouch for it first.
  const credentials = bot.id && bot.loginUrl && bot.password ? new ClientSecretCredentialsFactory(auth, clock) : undefined;
  const adapter = new LockboxAdapter(auth as ConfigurationBotFrameworkAuthenticationOptions, credentials);
  adapter.onTurnError = async (context, error) => {
    logger.error('A turn failed', { activityType: context.activity.type, name: context.activity.name, error: String(error) });
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity('Sorry, something went wrong on my side. Please try again.').catch(() => undefined);
    }
  };
  return adapter;
}

export function createBot(adapter: TeamsAdapter, botAppId: string, deps: TeamsDeps) {
  const app = new Application<TurnState>({ adapter, botAppId, removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
  const { verbs } = registerHandlers(app, deps);
  return { app, verbs };
}

/** The JSON Web Token library's own errors for a bad token, which botbuilder lets through as a 500. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/** Every bad token is a 401, whichever layer noticed it; a turn's clients are reused (see ReusedClientsAuthentication). */
export class LockboxAdapter extends TeamsAdapter {
  constructor(...args: ConstructorParameters<typeof TeamsAdapter>) {
    super(...args);
    // TeamsAdapter builds its authentication itself and hands it to botbuilder, so it is wrapped once built.
    const self = this as unknown as { botFrameworkAuthentication: BotFrameworkAuthentication };
    self.botFrameworkAuthentication = new ReusedClientsAuthentication(self.botFrameworkAuthentication);
  }

  /** One incoming activity with its Authorization header: authenticated, then run; answers the invoke response, if any. */
  processIncoming(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }

  override processActivity(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined>;
  override processActivity(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined>;
  override async processActivity(auth: string | AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    try {
      return await (typeof auth === 'string' ? super.processActivity(auth, activity, logic) : super.processActivity(auth, activity, logic));
    } catch (error) {
      if (error instanceof Error && TOKEN_ERRORS.has(error.name)) throw new AuthenticationError(error.message, StatusCodes.UNAUTHORIZED);
      throw error;
    }
  }
}

type Credentials = Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>;
type Signable = Parameters<Credentials['signRequest']>[0];

/** Gets the bot's token with a plain client-credentials request to `{loginEndpoint}/oauth2/v2.0/token`, reused until 5 minutes before it expires. */
class ClientSecretCredentialsFactory extends ConfigurationServiceClientCredentialFactory {
  private readonly tokens = new Map<string, { token: Promise<string>; until: number }>();

  constructor(options: ConstructorParameters<typeof ConfigurationServiceClientCredentialFactory>[0], private readonly clock: Clock) {
    super(options);
  }

  override async createCredentials(appId: string, audience: string | undefined, loginEndpoint: string): Promise<Credentials> {
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    const url = `${loginEndpoint.replace(/\/+$/, '')}/oauth2/v2.0/token`;
    const scope = `${audience || PUBLIC_BOT_FRAMEWORK.ToChannelFromBotOAuthScope}/.default`;
    return {
      signRequest: async (request: Signable) => {
        request.headers.set('authorization', `Bearer ${await this.token(url, appId, scope)}`);
        return request;
      },
    };
  }

  private token(url: string, appId: string, scope: string): Promise<string> {
    const key = `${url} ${scope}`;
    const cached = this.tokens.get(key);
    if (cached && cached.until > this.clock.now().getTime()) return cached.token;
    const entry = { token: Promise.resolve(''), until: Infinity };
    entry.token = (async () => {
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, client_secret: this.password ?? '', scope });
      const response = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
      const answer = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
      if (!response.ok || typeof answer.access_token !== 'string') throw new Error(`The login endpoint refused the bot's token request (${response.status}).`);
      entry.until = this.clock.now().getTime() + (Number(answer.expires_in) || 3600) * 1000 - 5 * 60_000;
      return answer.access_token;
    })();
    entry.token.catch(() => this.tokens.get(key) === entry && this.tokens.delete(key));
    this.tokens.set(key, entry);
    return entry.token;
  }
}
