/*
 * Microsoft Graph activity-feed notifications (TeamsActivity.Send): the bulk call the bot makes, and
 * the single-user one. Teams would show them in the recipients' desktop feed; the simulator records them
 * for the admin API (GET /_simulator/teams/notifications).
 */
import { z } from 'zod';
import { graphError } from '../errors';
import { ReplyError, type RequestContext, type Router } from '../router';
import type { RouteDeps } from './deps';

const MAX_RECIPIENTS = 100;

const common = {
  topic: z.object({ source: z.enum(['text', 'entityUrl']), value: z.string().min(1), webUrl: z.string().url().optional() }),
  activityType: z.string().min(1),
  previewText: z.object({ content: z.string().max(150) }),
  templateParameters: z.array(z.object({ name: z.string().min(1), value: z.string() })).optional(),
};
const bulk = z.object({
  ...common,
  recipients: z.array(z.object({ '@odata.type': z.literal('microsoft.graph.aadUserNotificationRecipient'), userId: z.string().min(1) })).min(1),
});
const single = z.object(common);

async function parse<T>(ctx: RequestContext, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = JSON.parse(await ctx.readBody());
  } catch {
    throw new ReplyError(graphError(ctx, 400, 'BadRequest', 'The body is not JSON.'));
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ReplyError(graphError(ctx, 400, 'BadRequest', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
  return parsed.data;
}

export function registerActivityFeedRoutes(router: Router, { tenant, teams }: RouteDeps): void {
  const record = (userIds: string[], n: z.infer<typeof single>) =>
    teams.recordNotifications(userIds.map((userId) => ({
      userId,
      activityType: n.activityType,
      previewText: n.previewText.content,
      topic: n.topic,
      templateParameters: Object.fromEntries((n.templateParameters ?? []).map((p) => [p.name, p.value])),
    })));

  for (const version of ['v1.0', 'beta']) {
    router.on('POST', `/${version}/teamwork/sendActivityNotificationToRecipients`, async (ctx) => {
      const body = await parse(ctx, bulk);
      if (body.recipients.length > MAX_RECIPIENTS) return graphError(ctx, 400, 'BadRequest', `At most ${MAX_RECIPIENTS} recipients per call; got ${body.recipients.length}.`);
      // Graph accepts the batch and drops recipients it cannot reach; so does the simulator.
      record(body.recipients.map((r) => r.userId).filter((id) => tenant.findUser(id)), body);
      return { status: 202 };
    });
    router.on('POST', `/${version}/users/:userId/teamwork/sendActivityNotification`, async (ctx) => {
      const user = tenant.findUser(ctx.params.userId ?? '');
      if (!user) return graphError(ctx, 404, 'Request_ResourceNotFound', `User '${ctx.params.userId}' does not exist.`);
      record([user.id], await parse(ctx, single));
      return { status: 204 };
    });
  }
}
