import type { AppInstaller, Clock, Directory, LockboxSource, Logger, Messenger, Store, Telemetry } from '../ports';
import type { ReminderPolicy } from '../escalation';
import type { InfoPoster, Notifier, OnCallRoster, ReminderPoster } from '../notifications';
import type { Pager } from '../paging';
import type { SourceKind } from '../request';
import type { CaseOpenerCards, PeopleFinder, SupportCases } from '../support-case';

/** What the use cases need from the outside world, passed explicitly. */
export interface CoreDeps {
  store: Store;
  sources: ReadonlyMap<SourceKind, LockboxSource>;
  directory: Directory;
  messenger: Messenger;
  clock: Clock;
  logger: Logger;
  telemetry: Telemetry;
  /** The organisation this bot serves: clicks from any other tenant are refused. */
  tenantId: string;
  /** Dual control: an approval takes two different approvers; a single rejection still ends it. */
  requireTwoApprovers?: boolean;
  /** Installs the bot for approvers who have no chat with it yet; absent when not configured. */
  installer?: AppInstaller;
  /** Activity-feed pushes to on-call staff and reminders before expiry; absent when not configured. */
  notifier?: Notifier;
  onCall?: OnCallRoster;
  /** NOTIFY_GROUP_ID: its members hear of every request; those without an approver role get an information card, never buttons. */
  notifyGroup?: OnCallRoster;
  infoPoster?: InfoPoster;
  /** Reminders as new chat messages, which reach phones; absent when notifications are off. */
  reminderPoster?: ReminderPoster;
  /** Alerts in a paging service (PagerDuty) for every request; absent when not configured. */
  pager?: Pager;
  reminders?: ReminderPolicy;
  /** Looks up the support case an Azure request names; absent, no case is checked. */
  supportCases?: SupportCases;
  /** REQUIRE_OPEN_SUPPORT_CASE: an Azure request without a matching open case of ours can only be rejected. */
  requireOpenSupportCase?: boolean;
  /** Finds the person who opened a case, to tell them about the request. */
  people?: PeopleFinder;
  caseOpenerCards?: CaseOpenerCards;
  /** Tells the delivery worker something was queued, so it need not wait for its next look. */
  wakeDeliveries?: () => void;
  /** Resolves once the card clicks being answered have their answers (or after a short wait at most): work nobody waits for goes after them. */
  whenQuiet?: () => Promise<void>;
  /** How long one worker owns an upstream submission before another may take it over (default 60 s). */
  submissionLeaseMs?: number;
  /** How long a decision Microsoft answered may stay unseen in its state before it counts as not taken (default 15 min). */
  confirmWindowMs?: number;
}
