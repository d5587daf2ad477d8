/*
 * Every card template, expanded by the bot's own code for each state a person can meet, rendered by
 * the Adaptive Cards JavaScript renderer in Chromium at phone and desktop width: every button shows
 * in full and on screen, and nothing is wider than the screen. Screenshots go to test-results/cards/.
 *
 * Host config: teams-host-config.json is the Teams host config the Agents Playground 0.2.28 renders
 * cards with (its fonts, spacing, container colours, and actions that wrap onto another row when they
 * do not fit: `allowButtonsToWrap`). adaptivecards 3.0.6 predates `allowButtonsToWrap` and would clip
 * the action row instead ("Appr…", "Rej…" on a phone), so the page applies the same `flex-wrap: wrap`
 * to the row that newer renderers apply.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TurnContext } from 'botbuilder';
import type { Browser, Page } from 'playwright-core';
import type { Actor, Decision } from '../../src/domain/decision';
import type { LockboxRequest } from '../../src/domain/request';
import type { TrackedRequest } from '../../src/domain/tracked';
import { noticeCard, requestCard, TEMPLATES, type AdaptiveCard } from '../../src/teams/cards/render';
import type { TeamsDeps } from '../../src/teams/deps';
import { help } from '../../src/teams/handlers/commands/help';
import { history } from '../../src/teams/handlers/commands/history';
import { status } from '../../src/teams/handlers/commands/status';
import { switchLockbox } from '../../src/teams/handlers/commands/switch';
import { launchChromium, loopbackContext, resultsDir, ROOT } from './support';
import teamsHostConfig from './teams-host-config.json';

const NOW = new Date('2026-03-14T09:30:00Z');
const TENANT = '00000000-0000-4000-8000-000000000001';
const SUBSCRIPTION = '7d1c2a4e-5b3f-4c8d-9e6a-1f2b3c4d5e6f';
const ALEX: Actor = { aadObjectId: '00000000-0000-4000-8000-000000000020', tenantId: TENANT, name: 'Alex Wilber', userPrincipalName: 'alexw@contoso.example' };
const MEGAN: Actor = { aadObjectId: '00000000-0000-4000-8000-000000000021', tenantId: TENANT, name: 'Megan Bowen', userPrincipalName: 'meganb@contoso.example' };
const at = (minutesFromNow: number) => new Date(NOW.getTime() + minutesFromNow * 60_000).toISOString();

/** An Azure request as the bot tracks it, with long, realistic values (the phone is where they hurt). */
function azure(overrides: Partial<LockboxRequest> = {}, tracked: Partial<TrackedRequest> = {}): TrackedRequest {
  const request: LockboxRequest = {
    source: 'azure',
    requestId: '8c2f4b1e-7a3d-4e9f-b6c5-2d1e0f9a8b7c',
    subscriptionId: SUBSCRIPTION,
    status: 'Pending',
    justification:
      'Case 2603140010004521: the customer reports that VM-SQL-PROD-WESTEUROPE-01 stopped answering after planned maintenance. ' +
      'The engineer needs to read boot diagnostics and the serial console log to find out why the guest OS does not start.',
    resourceIds: [
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/RG-FINANCE-PRODUCTION-WESTEUROPE/providers/Microsoft.Compute/virtualMachines/VM-SQL-PROD-WESTEUROPE-01`,
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/RG-FINANCE-PRODUCTION-WESTEUROPE/providers/Microsoft.Storage/storageAccounts/stfinancediagweu001`,
    ],
    resourceType: 'Virtual Machine',
    supportRequest: '2603140010004521',
    supportCaseUrl: `https://support.example/cases/2603140010004521`,
    accessLevel: 'Read',
    durationHours: 8,
    createdAt: at(-95),
    expiresAt: at(4 * 24 * 60 - 95),
    raw: {},
    ...overrides,
  };
  return { key: `azure:${SUBSCRIPTION}:${request.requestId}`, request, firstSeenAt: at(-94), updatedAt: at(-1), ...tracked };
}

function decision(verdict: 'approve' | 'reject', state: Decision['submission']['state'], extra: Partial<Decision> = {}): Decision {
  return {
    verdict,
    actor: ALEX,
    comment:
      verdict === 'approve'
        ? 'Checked with the on-call engineer: case 2603140010004521 is ours, and read access for 8 hours is enough.'
        : 'Nobody here opened this case; please open one through the portal first.',
    decidedAt: at(-2),
    roles: ['Customer LockBox Access Approver'],
    submission: { state, attempts: 1, ...(state === 'submitted' ? { upstreamStatus: verdict === 'approve' ? 'Approved' : 'Denied', completedAt: at(-1) } : {}) },
    ...extra,
  };
}

/** What the command handlers need to answer, nothing more; the card they send is captured. */
function commandDeps(): TeamsDeps {
  const pending = [azure(), azure({ requestId: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9' })];
  const deps = {
    clock: { now: () => NOW },
    tenantId: TENANT,
    version: '0.1.0',
    newId: () => '5e0d7c3a-1b2f-4a6e-9d8c-7b6a5f4e3d2c',
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    directory: { checkAdmin: async () => ({ allowed: true, heldRoles: ['Global Administrator'], requiredRoles: ['Global Administrator'] }) },
    sources: new Map([
      ['azure', { kind: 'azure', isEnabled: async () => true }],
      ['m365', { kind: 'm365', isEnabled: async () => false }],
    ]),
    lastPoll: () => ({
      at: at(-1),
      ok: false,
      detected: 0,
      queued: 0,
      sources: [
        { source: 'azure', ok: true, pending: 2, failures: [] },
        {
          source: 'm365',
          ok: false,
          pending: 0,
          error: 'Exchange Online answered 401 Unauthorized: the app has no Exchange.ManageAsApp permission',
          failures: [],
        },
      ],
    }),
    store: {
      listOpenRequests: async () => pending.map((value) => ({ value })),
      saveConfirmation: async () => undefined,
      appendAudit: async () => undefined,
      listAudit: async () => [
        { at: at(-2), kind: 'decision.recorded', actor: ALEX, requestKey: `azure:${SUBSCRIPTION}:8c2f4b1e-7a3d-4e9f-b6c5-2d1e0f9a8b7c`, detail: { verdict: 'approve', comment: 'Checked with the on-call engineer: case 2603140010004521 is ours.' } },
        { at: at(-60 * 26), kind: 'decision.recorded', actor: MEGAN, requestKey: `azure:${SUBSCRIPTION}:0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d`, detail: { verdict: 'reject', comment: 'No support case behind this one.' } },
        { at: at(-60 * 72), kind: 'decision.recorded', actor: ALEX, requestKey: 'm365:tenant:4f3e2d1c-0b9a-4887-a6b5-c4d3e2f1a0b9', detail: { verdict: 'approve', comment: '' } },
      ],
    },
  };
  return deps as unknown as TeamsDeps;
}

/** Runs a command handler and hands back the card it sent. */
async function cardFrom(handler: (context: TurnContext) => Promise<void>): Promise<AdaptiveCard> {
  const sent: any[] = [];
  const context = { activity: { conversation: { id: 'personal-chat-id' } }, sendActivity: async (activity: any) => (sent.push(activity), { id: String(sent.length) }) };
  await handler(context as unknown as TurnContext);
  const card = sent.flatMap((a) => a?.attachments ?? []).map((a: any) => a.content)[0];
  assert.ok(card, `the handler sent a card (it sent ${JSON.stringify(sent)})`);
  return card as AdaptiveCard;
}

interface Case {
  name: string;
  template: keyof typeof TEMPLATES;
  card: () => Promise<AdaptiveCard> | AdaptiveCard;
}

const CASES: Case[] = [
  { name: 'request-pending', template: 'request', card: () => requestCard(azure(), NOW) },
  {
    name: 'request-pending-m365',
    template: 'request',
    card: () =>
      requestCard(
        azure(
          {
            source: 'm365',
            requestId: '4f3e2d1c-0b9a-4887-a6b5-c4d3e2f1a0b9',
            subscriptionId: undefined,
            resourceIds: ['adele.vance@contoso.example', 'Finance-Quarterly-Close@contoso.example'],
            resourceType: 'Exchange',
            supportCaseUrl: undefined,
            durationHours: undefined,
            durationText: 'Support request lifetime',
            expiresAt: at(12 * 60 - 95),
          },
          { key: 'm365:tenant:4f3e2d1c-0b9a-4887-a6b5-c4d3e2f1a0b9' },
        ),
        NOW,
      ),
  },
  { name: 'request-submitting', template: 'request', card: () => requestCard(azure({}, { decision: decision('approve', 'pending') }), NOW) },
  { name: 'request-approved', template: 'request', card: () => requestCard(azure({ status: 'Approved' }, { decision: decision('approve', 'submitted') }), NOW) },
  { name: 'request-rejected', template: 'request', card: () => requestCard(azure({ status: 'Denied' }, { decision: decision('reject', 'submitted') }), NOW) },
  { name: 'request-gone', template: 'request', card: () => requestCard(azure({}, { goneAt: at(-3), missing: { since: at(-5), checks: 3 } }), NOW) },
  { name: 'request-expired', template: 'request', card: () => requestCard(azure({ createdAt: at(-5 * 24 * 60), expiresAt: at(-24 * 60) }), NOW) },
  {
    name: 'request-failed',
    template: 'request',
    card: () =>
      requestCard(
        azure({}, { decision: decision('approve', 'failed', { submission: { state: 'failed', attempts: 5, lastError: 'Azure answered 409 Conflict: RequestNotInPendingState, the request changed while the decision was on its way' } }) }),
        NOW,
      ),
  },
  {
    name: 'request-1-of-2',
    template: 'request',
    card: () => requestCard(azure({}, { firstApproval: { actor: MEGAN, comment: 'Looks right to me.', at: at(-10), roles: ['Customer LockBox Access Approver'] } }), NOW),
  },
  {
    name: 'request-refused',
    template: 'request',
    card: () =>
      requestCard(azure(), NOW, {
        text: `You can't decide this request: it needs an active Global Administrator or Owner on subscription ${SUBSCRIPTION} or Azure Customer Lockbox Approver for Subscription on subscription ${SUBSCRIPTION} role. Nothing was decided.`,
        style: 'attention',
      }),
  },
  { name: 'notice', template: 'notice', card: () => noticeCard('Request not found', 'This card refers to a lockbox request the bot does not know. Nothing was decided.') },
  { name: 'help', template: 'help', card: () => cardFrom((context) => help(context, { kind: 'help' })) },
  { name: 'help-unknown-command', template: 'help', card: () => cardFrom((context) => help(context, { kind: 'unknown', input: '/lockbox statsu --all-subscriptions', suggestion: 'status' })) },
  { name: 'status', template: 'status', card: () => cardFrom((context) => status(context, commandDeps(), ALEX)) },
  { name: 'confirm-disable', template: 'confirm', card: () => cardFrom((context) => switchLockbox(context, commandDeps(), ALEX, 'disable', 'azure')) },
  { name: 'confirm-enable', template: 'confirm', card: () => cardFrom((context) => switchLockbox(context, commandDeps(), ALEX, 'enable', 'm365')) },
  { name: 'choose-product', template: 'choose', card: () => cardFrom((context) => switchLockbox(context, commandDeps(), ALEX, 'disable', undefined)) },
  { name: 'history', template: 'history', card: () => cardFrom((context) => history(context, commandDeps(), ALEX, 3)) },
];

const WIDTHS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
];

/** Action titles, top level and inside containers, in document order. */
function actionTitles(card: object): string[] {
  const titles: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.type === 'string' && o.type.startsWith('Action.') && typeof o.title === 'string') titles.push(o.title);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return titles;
}

describe('every card template in Chromium, at phone and desktop width', function () {
  this.timeout(60_000);
  let browser: Browser;
  let shots: string;

  it('covers every template the bot sends', () => {
    assert.deepEqual([...new Set(CASES.map((c) => c.template))].sort(), Object.keys(TEMPLATES).sort());
  });

  before(async () => {
    shots = resultsDir('cards');
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  for (const size of WIDTHS) {
    describe(`${size.name} (${size.width} px)`, () => {
      let page: Page;
      before(async () => {
        const context = await loopbackContext(browser, { width: size.width, height: size.height });
        page = await context.newPage();
        await page.setContent('<!doctype html><html><head><meta name="viewport" content="width=device-width"></head><body style="margin:0;background:#f5f5f5"><div id="host" style="margin:12px;background:#fff"></div></body></html>');
        await page.addStyleTag({ path: path.join(ROOT, 'node_modules/adaptivecards/dist/adaptivecards.css') });
        await page.addScriptTag({ path: path.join(ROOT, 'node_modules/adaptivecards/dist/adaptivecards.min.js') });
        await page.addScriptTag({ path: path.join(__dirname, 'card-page.js') });
        await page.addStyleTag({ content: '.ac-actionSet { flex-wrap: wrap; row-gap: 8px; }' });
      });
      after(async () => page?.context().close());

      it('(the checks themselves) notice a card that does not fit', async () => {
        const misfit = {
          type: 'AdaptiveCard',
          version: '1.5',
          body: [{ type: 'TextBlock', text: 'A line that may not wrap and is far too long to show in full. '.repeat(6), wrap: false }],
          actions: [{ type: 'Action.Execute', verb: 'x', title: 'A button title far too long for any phone screen to show in full, whatever the host does' }],
        };
        const m = await page.evaluate(([json, config]) => (globalThis as any).renderAndMeasure(json, config), [misfit, teamsHostConfig as object]);
        assert.ok(m.overflowing.some((o: string) => o.includes('A line that may not wrap')), `the clipped line is noticed: ${JSON.stringify(m.overflowing)}`);
        if (size.width < 400) assert.ok(m.buttons[0].cutOff, `the cut-off button title is noticed: ${JSON.stringify(m.buttons)}`);
      });

      for (const c of CASES) {
        it(c.name, async () => {
          const card = await c.card();
          const m = await page.evaluate(([json, config]) => (globalThis as any).renderAndMeasure(json, config), [card as object, teamsHostConfig as object]);
          await page.screenshot({ path: path.join(shots, `${c.name}-${size.width}.png`), fullPage: true });

          assert.deepEqual(m.problems, [], 'the renderer understood the whole card');
          assert.deepEqual(m.buttons.map((b: any) => b.title), actionTitles(card), 'one button per action, in order');
          for (const b of m.buttons) {
            assert.ok(b.shown && b.width > 0 && b.height > 0, `button "${b.title}" is visible: ${JSON.stringify(b)}`);
            assert.ok(b.left >= 0 && b.right <= m.viewport, `button "${b.title}" is on screen (0–${m.viewport} px): ${JSON.stringify(b)}`);
            assert.ok(!b.cutOff, `button "${b.title}" shows its whole title`);
          }
          if (card.body && JSON.stringify(card).includes('"Input.Text"')) assert.equal(m.textareas, 1, 'the comment box is there');
          assert.ok(m.documentScrollWidth <= m.viewport, `the page does not scroll sideways (${m.documentScrollWidth} > ${m.viewport})`);
          assert.ok(m.card.scrollWidth <= m.card.clientWidth, `the card is not wider than its box (${m.card.scrollWidth} > ${m.card.clientWidth})`);
          assert.deepEqual(m.overflowing, [], 'nothing is wider than its box or sticks out of the card');
        });
      }
    });
  }
});
