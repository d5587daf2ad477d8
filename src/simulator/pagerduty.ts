/** One event PagerDuty's Events API v2 accepted, as the simulator keeps it (the routing key's last four characters only). */
export interface PagerDutyEvent {
  at: string;
  routingKeyEnd: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; [field: string]: unknown };
  links?: { href: string; text?: string }[];
  client?: string;
  client_url?: string;
}

/** An alert as PagerDuty shows it: opened by a trigger, updated by later triggers, closed by a resolve. */
export interface PagerDutyAlert {
  dedup_key: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  severity?: string;
  summary?: string;
  events: number;
}

const KEPT_EVENTS = 5000;

/** The events the simulated PagerDuty received, and the alerts they make. */
export class PagerDutyInbox {
  private events: PagerDutyEvent[] = [];

  record(event: PagerDutyEvent): void {
    this.events.push(event);
    if (this.events.length > KEPT_EVENTS) this.events.splice(0, this.events.length - KEPT_EVENTS);
  }

  listEvents(): PagerDutyEvent[] {
    return this.events.map((e) => ({ ...e }));
  }

  listAlerts(): PagerDutyAlert[] {
    const alerts = new Map<string, PagerDutyAlert>();
    for (const e of this.events) {
      const alert = alerts.get(e.dedup_key);
      if (e.event_action === 'trigger') {
        // A trigger after a resolve opens a new alert with the same key, as PagerDuty does.
        const open = alert && alert.status !== 'resolved' ? alert : { dedup_key: e.dedup_key, status: 'triggered' as const, events: 0 };
        alerts.set(e.dedup_key, { ...open, severity: e.payload?.severity, summary: e.payload?.summary, events: open.events + 1 });
      } else if (alert && alert.status !== 'resolved') {
        alerts.set(e.dedup_key, { ...alert, status: e.event_action === 'resolve' ? 'resolved' : 'acknowledged', events: alert.events + 1 });
      }
    }
    return [...alerts.values()];
  }

  clear(): void {
    this.events = [];
  }
}
