/*
 * PagerDuty Events API v2 (POST /v2/enqueue), for the bot's paging: validated as PagerDuty does, answered
 * 202 {status, message, dedup_key} or 400 {status: "invalid event", message, errors}. No bearer token:
 * the routing key in the body says where the event goes. Received events: GET /_simulator/pagerduty/events.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { pagerDutyError } from '../errors';
import type { Router } from '../router';
import type { RouteDeps } from './deps';

const link = z.object({ href: z.string().url(), text: z.string().optional() });
const event = z.object({
  routing_key: z.string().length(32, "Length of 'routing_key' is incorrect (should be 32 characters)"),
  event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
  dedup_key: z.string().min(1).max(255, "'dedup_key' is longer than 255 characters").optional(),
  payload: z.object({
    summary: z.string().min(1).max(1024, "'payload.summary' is longer than 1024 characters"),
    source: z.string().min(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    timestamp: z.string().datetime({ offset: true }).optional(),
    component: z.string().optional(),
    group: z.string().optional(),
    class: z.string().optional(),
    custom_details: z.unknown().optional(),
  }).optional(),
  links: z.array(link).optional(),
  images: z.array(z.unknown()).optional(),
  client: z.string().optional(),
  client_url: z.string().url().optional(),
});

function problems(body: unknown): string[] {
  const parsed = event.safeParse(body);
  // PagerDuty's own words where the schema carries them, else the field and zod's description.
  if (!parsed.success) return parsed.error.issues.map((i) => (/^('|Length)/.test(i.message) ? i.message : `'${i.path.join('.')}': ${i.message}`));
  const e = parsed.data;
  if (e.event_action === 'trigger' && !e.payload) return ["'payload' is missing or blank"];
  if (e.event_action !== 'trigger' && !e.dedup_key) return ["'dedup_key' is missing or blank"];
  return [];
}

export function registerPagerDutyRoutes(router: Router, { pagerDuty, tenant }: RouteDeps): void {
  router.on('POST', '/v2/enqueue', async (ctx) => {
    let body: unknown;
    try {
      body = JSON.parse(await ctx.readBody());
    } catch {
      return pagerDutyError(400, 'Event object is invalid', ['The body is not JSON']);
    }
    const found = problems(body);
    if (found.length) return pagerDutyError(400, 'Event object is invalid', found);
    const e = event.parse(body);
    const dedupKey = e.dedup_key ?? randomUUID().replace(/-/g, '');
    pagerDuty.record({
      at: tenant.now().toISOString(),
      routingKeyEnd: e.routing_key.slice(-4),
      event_action: e.event_action,
      dedup_key: dedupKey,
      ...(e.payload ? { payload: e.payload } : {}),
      ...(e.links ? { links: e.links } : {}),
      ...(e.client ? { client: e.client } : {}),
      ...(e.client_url ? { client_url: e.client_url } : {}),
    });
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  });
}
