import { z } from 'zod';
import type { AppInstaller, InstallOutcome, Logger } from '../domain/ports';
import type { JsonClient } from '../http/json-client';

const catalog = z.object({ value: z.array(z.object({ id: z.string() })) });

/**
 * Installs the bot for a user through Microsoft Graph (TeamsAppInstallation.ReadWriteSelfForUser.All);
 * Teams then opens the personal chat and tells the bot, which saves it and posts the waiting cards.
 * Each person is asked for at most once per `retryMs`, and a missing permission is reported once.
 */
export class GraphInstaller implements AppInstaller {
  private catalogId?: Promise<string | undefined>;
  private readonly attempted = new Map<string, number>();
  /** What the last attempt taught about the bot's permission, for /healthz. */
  permission: 'unknown' | 'granted' | 'missing' = 'unknown';

  constructor(
    private readonly graph: JsonClient,
    private readonly manifestId: string,
    private readonly logger: Logger,
    private readonly retryMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  async install(userId: string): Promise<InstallOutcome> {
    const last = this.attempted.get(userId);
    if (this.permission === 'missing' || (last !== undefined && this.now() - last < this.retryMs)) return 'failed';
    this.attempted.set(userId, this.now());
    try {
      const appId = await this.appCatalogId();
      if (!appId) return 'failed';
      const response = await this.graph.send({
        method: 'POST',
        url: `v1.0/users/${encodeURIComponent(userId)}/teamwork/installedApps`,
        body: { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${appId}` },
      });
      if (response.status === 201 || response.status === 200) return this.granted('requested', userId);
      if (response.status === 409) return this.granted('already-installed', userId);
      if (response.status === 401 || response.status === 403) return this.missing();
      this.logger.warn('Could not install the bot for an approver', { userId, status: response.status });
      return 'failed';
    } catch (error) {
      this.logger.warn('Could not install the bot for an approver', { userId, error: String(error) });
      return 'failed';
    }
  }

  private granted(outcome: InstallOutcome, userId: string): InstallOutcome {
    this.permission = 'granted';
    this.logger.info(outcome === 'requested' ? 'Installed the bot for an approver; their card follows when Teams opens the chat' : 'The bot was already installed for an approver', { userId });
    return outcome;
  }

  private missing(): InstallOutcome {
    if (this.permission !== 'missing') {
      this.logger.warn('Cannot install the bot for approvers who never opened it: grant Microsoft Graph TeamsAppInstallation.ReadWriteSelfForUser.All (application) with admin consent. Approvers who have opened the bot still get their cards.');
    }
    this.permission = 'missing';
    return 'not-permitted';
  }

  /** The app's id in the organisation's catalog, found once by its manifest id. */
  private appCatalogId(): Promise<string | undefined> {
    this.catalogId ??= (async () => {
      const response = await this.graph.send({ method: 'GET', url: 'v1.0/appCatalogs/teamsApps', query: { $filter: `externalId eq '${this.manifestId}'` } });
      if (response.status === 401 || response.status === 403) {
        this.missing();
        return undefined;
      }
      const parsed = catalog.safeParse(response.body);
      const id = response.status === 200 && parsed.success ? parsed.data.value[0]?.id : undefined;
      if (!id) {
        this.logger.warn('The Teams app is not in the organisation\'s app catalog, so the bot cannot install itself for approvers: upload it (appPackage) first', { manifestId: this.manifestId });
        this.catalogId = undefined;
      }
      return id;
    })();
    return this.catalogId;
  }
}
