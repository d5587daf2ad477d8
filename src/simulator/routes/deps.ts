import type { CallRecorder } from '../calls';
import type { FaultInjector } from '../faults';
import type { PagerDutyInbox } from '../pagerduty';
import type { SimulatorLogger } from '../logger';
import type { TeamsChannel } from '../teams-channel';
import type { SimulatedTenant } from '../tenant';

export interface RouteDeps {
  tenant: SimulatedTenant;
  pageSize: number;
  faults: FaultInjector;
  calls: CallRecorder;
  logger: SimulatorLogger;
  /** Sends the bot the activities Teams would, once configured through the admin API. */
  teams: TeamsChannel;
  /** What the simulated PagerDuty Events API received. */
  pagerDuty: PagerDutyInbox;
  /** Aborted on close, so injected delays do not hold the process open. */
  shutdown: AbortSignal;
}
