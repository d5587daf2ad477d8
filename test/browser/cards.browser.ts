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
import { noticeCard, requestCard, TEMPLATES, type AdaptiveCard } from '../../src/teams/cards/render';
import { t } from '../../src/teams/i18n';
import type { TeamsDeps } from '../../src/teams/deps';
import { help } from '../../src/teams/handlers/commands/help';
import { history } from '../../src/teams/handlers/commands/history';
import { status } from '../../src/teams/handlers/commands/status';
import { switchLockbox } from '../../src/teams/handlers/commands/switch';
import { ALEX, at, MEGAN, NOW, STATES, SUBSCRIPTION, TENANT, azure } from '../support/card-fixtures';
import { launchChromium, loopbackContext, resultsDir, ROOT } from './support';
import teamsHostConfig from './teams-host-config.json';

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
      getRequest: async () => undefined,
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
  ...Object.entries(STATES).map(([state, make]) => ({ name: `request-${state}`, template: 'request' as const, card: () => requestCard(make(), NOW, undefined, { userId: ALEX.aadObjectId }) })),
  {
    name: 'request-refused',
    template: 'request',
    card: () =>
      requestCard(azure(), NOW, {
        text: 'You need Owner or Azure Customer Lockbox Approver for Subscription on *Payments-Prod*, and you have neither. Only a role active on the subscription itself counts, not one inherited from a management group. Nothing was decided.',
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

/** The buttons a card shows before anyone clicks: its own actions (those inside "Add a comment" wait). */
function actionTitles(card: AdaptiveCard): string[] {
  return ((card.actions ?? []) as { title: string }[]).map((a) => a.title);
}

/** Every shown button is visible, on screen and shows its whole title. */
function assertButtonsFit(m: any): void {
  for (const b of m.buttons.filter((x: any) => x.shown)) {
    assert.ok(b.width > 0 && b.height > 0, `button "${b.title}" is visible: ${JSON.stringify(b)}`);
    assert.ok(b.left >= 0 && b.right <= m.viewport, `button "${b.title}" is on screen (0–${m.viewport} px): ${JSON.stringify(b)}`);
    assert.ok(!b.cutOff, `button "${b.title}" shows its whole title`);
  }
}

async function preparePage(browser: Browser, size: { width: number; height: number }): Promise<Page> {
  const context = await loopbackContext(browser, size);
  const page = await context.newPage();
  await page.setContent('<!doctype html><html><head><meta name="viewport" content="width=device-width"></head><body style="margin:0;background:#f5f5f5"><div id="host" style="margin:12px;background:#fff"></div></body></html>');
  await page.addStyleTag({ path: path.join(ROOT, 'node_modules/adaptivecards/dist/adaptivecards.css') });
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/adaptivecards/dist/adaptivecards.min.js') });
  await page.addScriptTag({ path: path.join(__dirname, 'card-page.js') });
  await page.addStyleTag({ content: '.ac-actionSet { flex-wrap: wrap; row-gap: 8px; }' });
  return page;
}

const renderIn = (page: Page, card: object) => page.evaluate(([json, config]) => (globalThis as any).renderAndMeasure(json, config), [card, teamsHostConfig as object]);

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
      before(async () => (page = await preparePage(browser, size)));
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
          assert.deepEqual(m.buttons.filter((b: any) => b.shown).map((b: any) => b.title), actionTitles(card), 'one button per action, in order');
          assertButtonsFit(m);
          assert.ok(m.documentScrollWidth <= m.viewport, `the page does not scroll sideways (${m.documentScrollWidth} > ${m.viewport})`);
          assert.ok(m.card.scrollWidth <= m.card.clientWidth, `the card is not wider than its box (${m.card.scrollWidth} > ${m.card.clientWidth})`);
          assert.deepEqual(m.overflowing, [], 'nothing is wider than its box or sticks out of the card');

          // Behind the buttons: the comment box and the details, each one tap away, and fitting too.
          for (const title of ['Add a comment', 'Details']) {
            if (!actionTitles(card).includes(title)) continue;
            await page.evaluate((t) => (globalThis as any).clickButton(t), title);
            const opened = await page.evaluate(() => (globalThis as any).measure());
            await page.screenshot({ path: path.join(shots, `${c.name}-${size.width}-${title.toLowerCase().replace(/\W+/g, '-')}.png`), fullPage: true });
            if (title === 'Add a comment') {
              assert.equal(opened.textareas, 1, 'the comment box opens');
              assert.deepEqual(opened.buttons.filter((b: any) => b.shown).map((b: any) => b.title).slice(-2), ['Approve', 'Reject'], 'with its own Approve and Reject');
            }
            assertButtonsFit(opened);
            assert.deepEqual(opened.overflowing, [], `nothing sticks out once "${title}" is open`);
          }
        });
      }
    });
  }
});

/*
 * The bar for the request card on a phone: at 360×640 px, Approve and Reject are inside the first
 * screen for both products in every language, with the longest realistic values; a decided card is at most
 * half as tall as the pending one. Screenshots: test-results/phone/.
 */
describe('the request card on a 360×640 phone', function () {
  this.timeout(60_000);
  const SCREEN = { width: 360, height: 640 };
  let browser: Browser;
  let page: Page;
  let shots: string;
  before(async () => {
    shots = resultsDir('phone');
    browser = await launchChromium();
    page = await preparePage(browser, SCREEN);
  });
  after(async () => browser?.close());

  for (const locale of ['en-US', 'nl-NL', 'de-DE']) {
    for (const product of ['pending', 'pending-m365', 'first-of-two'] as const) {
      it(`shows Approve and Reject within the first 640 px: ${product}, ${locale}`, async () => {
        const card = requestCard(STATES[product](), NOW, undefined, { locale, userId: ALEX.aadObjectId });
        const m = await renderIn(page, card);
        await page.screenshot({ path: path.join(shots, `${product}-${locale}.png`) });
        const titles = [t(locale, 'request.approve'), t(locale, 'request.reject')];
        const shown = m.buttons.filter((b: any) => b.shown && titles.includes(b.title));
        assert.equal(shown.length, 2, `both buttons are shown: ${JSON.stringify(m.buttons)}`);
        for (const b of shown) assert.ok(b.bottom <= SCREEN.height, `"${b.title}" ends at ${Math.round(b.bottom)} px, inside the first ${SCREEN.height} px`);
        assertButtonsFit(m);
        assert.deepEqual(m.overflowing, []);
      });
    }

    for (const decided of ['approved', 'rejected', 'approved-m365'] as const) {
      it(`keeps the ${decided} card at most half as tall as the pending one (${locale})`, async () => {
        const pendingState = decided === 'approved-m365' ? 'pending-m365' : 'pending';
        const reader = { locale, userId: ALEX.aadObjectId };
        const pending = await renderIn(page, requestCard(STATES[pendingState](), NOW, undefined, reader));
        const closed = await renderIn(page, requestCard(STATES[decided](), NOW, undefined, reader));
        await page.screenshot({ path: path.join(shots, `${decided}-${locale}.png`) });
        assert.ok(closed.card.height <= pending.card.height / 2, `${Math.round(closed.card.height)} px ≤ half of ${Math.round(pending.card.height)} px`);
        assertButtonsFit(closed);
      });
    }
  }
});
