import assert from 'node:assert/strict';
import path from 'node:path';
import { cardAction, installUpdate, message, type TeamsUser } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf } from '../support/fake-connector';
import { FixedClock } from '../support/fakes';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { waitUntil } from '../support/wait';
import { HISTORY_MAX } from '../../src/teams/commands/parse';
import { CARD_BUDGET_BYTES } from '../../src/teams/cards/size';
import { SqliteStore } from '../../src/store/sqlite';


describe('/lockbox commands over HTTP', () => {
  let h: Harness;
  let clock: FixedClock;

  beforeEach(async () => {
    clock = new FixedClock(new Date());
    h = await startHarness({ bot: { clock }, env: { LOCKBOX_SOURCES: 'azure' } });
    for (const user of [USERS.alex, USERS.megan, USERS.adele]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  /** Sends a command and returns what the bot answered in that chat. */
  const say = async (user: TeamsUser, text: string) => {
    const before = h.connector.calls.length;
    const response = await h.post(message(h.connector.url, TENANT_ID, user, text));
    assert.equal(response.status, 200);
    return h.connector.calls.slice(before).filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${user.aadObjectId}`);
  };
  const cardsIn = (replies: { body: Record<string, unknown> }[]) => replies.filter((r) => Array.isArray(r.body.attachments)).map((r) => cardOf(r.body));
  const textOf = (replies: { body: Record<string, unknown> }[]) => replies.map((r) => (r.body.attachments ? JSON.stringify(cardOf(r.body)) : String(r.body.text))).join('\n');
  const confirmationIn = (replies: { body: Record<string, unknown> }[]) => {
    const card = cardsIn(replies)[0] as { actions: { verb: string; data: { confirmationId: string } }[] };
    return card.actions.find((a) => a.verb === 'lockbox.switch.confirm')!.data;
  };

  it('answers help with the usage of every command', async () => {
    const text = textOf(await say(USERS.adele, '/lockbox help'));
    for (const usage of ['/lockbox status', '/lockbox pending', '/lockbox history', '/lockbox enable', '/lockbox disable']) assert.ok(text.includes(usage), usage);
  });

  it('says in help who may decide each kind of request, from the rule the bot enforces', async () => {
    const [reply] = await say(USERS.adele, '/lockbox help');
    const facts: { title: string; value: string }[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const { facts: found } = node as { facts?: { title: string; value: string }[] };
        if (found) facts.push(...found);
        Object.values(node).forEach(walk);
      }
    };
    walk(cardOf(reply!.body));
    const rule = Object.fromEntries(facts.map((f) => [f.title, f.value]));
    assert.match(rule['Azure, one subscription'] ?? '', /^Owner or Azure Customer Lockbox Approver for Subscription, assigned on that subscription/);
    assert.equal(rule['Azure, one subscription']?.includes('Global Administrator'), false, 'a Global Administrator alone may not decide a subscription-scoped request');
    assert.match(rule['Azure, tenant-wide'] ?? '', /^Global Administrator, in the Azure portal: Microsoft's API lists these requests to nobody, so they do not arrive here$/);
    assert.match(rule['Microsoft 365'] ?? '', /^Customer LockBox Access Approver or Global Administrator;/);
  });

  it('suggests the right command for a near miss, and shows help for anything unknown', async () => {
    assert.match(textOf(await say(USERS.alex, '/lockbox enabel')), /Did you mean \/lockbox enable\?/);
    assert.match(textOf(await say(USERS.alex, '/lockbox make-coffee')), /is not a command/);
  });

  it('treats injection-looking text as text', async () => {
    const replies = await say(USERS.megan, '/lockbox enable; rm -rf /');
    assert.match(textOf(replies), /Did you mean \/lockbox enable\?/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
    assert.equal(cardsIn(replies).some((c) => JSON.stringify(c).includes('lockbox.switch.confirm')), false);
  });

  it('reports status: on or off, requests waiting, the last poll, and the version', async () => {
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const text = textOf(await say(USERS.adele, '/lockbox status'));
    assert.match(text, /Azure Customer Lockbox/);
    assert.match(text, /"title":"Customer Lockbox","value":"On"/);
    assert.match(text, /"title":"Waiting for a decision","value":"1"/);
    assert.match(text, /all good/);
    assert.match(text, /Lockbox Bot \d+\.\d+\.\d+/);
  });

  it('shows failing subscriptions in status', async () => {
    await injectFault(h.simulator.url, { path: 'Microsoft.CustomerLockbox/requests$', status: 403, times: 1 });
    await h.bot.watcher.runOnce();
    assert.match(textOf(await say(USERS.megan, '/lockbox status')), /403/);
  });

  it('re-posts the pending requests a person may decide, and nothing to someone who may not', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const cards = cardsIn(await say(USERS.alex, '/lockbox pending'));
    assert.equal(cards.length, 1);
    assert.match(JSON.stringify(cards[0]), new RegExp(requestId));
    assert.match(textOf(await say(USERS.adele, '/lockbox pending')), /No lockbox requests are waiting for a decision from you/);
  });

  it('leads /lockbox pending with how many wait, then posts them most urgent first', async () => {
    const soon = new Date(clock.now().getTime() + 2 * 3600_000).toISOString();
    const later = new Date(clock.now().getTime() + 3 * 24 * 3600_000).toISOString();
    const first = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, expirationDateTime: later });
    const second = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, expirationDateTime: soon });
    await h.bot.watcher.runOnce();
    const replies = await say(USERS.alex, '/lockbox pending');
    assert.equal(replies[0]!.body.text, '2 requests wait for you, most urgent first.');
    const order = cardsIn(replies).map((card) => JSON.stringify(card).includes(second.requestId) ? 'soon' : JSON.stringify(card).includes(first.requestId) ? 'later' : '?');
    assert.deepEqual(order, ['soon', 'later']);
  });

  it('keeps the re-posted copy up to date when someone decides', async () => {
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const [reposted] = cardsIn(await say(USERS.alex, '/lockbox pending')).map((card) => ({ body: { attachments: [{ content: card }] } }));
    const key = (cardOf(reposted!.body).actions as { data: { requestKey: string } }[])[0]!.data.requestKey;
    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.isaiah, 'lockbox.approve', { requestKey: key }));
    const [copy] = (await h.cards(key)).filter((c) => c.userId === USERS.alex.aadObjectId);
    const posted = h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);
    assert.equal(posted.length, 2, 'the watcher\'s card and the re-posted one');
    assert.notEqual(copy?.activityId, undefined);
    await waitUntil(() => h.connector.updates(copy!.activityId).some((u) => /Approved by \*\*Isaiah Langer\*\*/.test(JSON.stringify(cardOf(u.body)))));
  });

  it('keeps /lockbox history within the card size budget whatever the comments, and says how many it left out', async function () {
    this.timeout(90_000);
    for (let i = 0; i < 30; i++) {
      const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
      await h.bot.watcher.runOnce();
      await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.reject', { requestKey: `azure:${SUBSCRIPTION_ID}:${requestId}`, comment: `${i} ${'ümlaut and emoji 🔒 '.repeat(40)}`.slice(0, 500) }));
    }
    const [card] = cardsIn(await say(USERS.megan, '/lockbox history 30'));
    assert.ok(Buffer.byteLength(JSON.stringify(card)) <= 24 * 1024, `${Buffer.byteLength(JSON.stringify(card))} bytes`);
  });

  it('says how many decisions /lockbox history left out when the card would be too large, and stays within the budget with the line that says so, for any comment and name lengths', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, resourceIds: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${'vm-'.repeat(200)}` });
    await h.bot.watcher.runOnce();
    // Decisions written straight into the bot's store: comments of every length (older versions took any), very long names, and quotes, emoji and braces.
    const store = SqliteStore.open(path.join(h.dataDir, 'lockbox.sqlite'));
    const lengths = Array.from({ length: HISTORY_MAX }, (_, i) => [0, 1, 7, 99, 279, 280, 281, 500, 5000, 20_000][i % 10]! + i);
    for (const [i, length] of lengths.entries()) {
      await store.appendAudit({
        at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
        kind: 'decision.recorded',
        requestKey: `azure:${SUBSCRIPTION_ID}:${requestId}`,
        actor: { aadObjectId: USERS.alex.aadObjectId, tenantId: TENANT_ID, name: `${i} ${'Ålex "{{x}}" 🔒 '.repeat(i * 20)}` },
        detail: { verdict: i % 2 ? 'approve' : 'reject', comment: `"${'wörds {{DATE(x)}} 🔒 '.repeat(length).slice(0, length)}"` },
      });
    }
    await store.close();

    for (const asked of [1, 10, 20, 30, 35, 40, 45, 49, HISTORY_MAX]) {
      const [card] = cardsIn(await say(USERS.megan, `/lockbox history ${asked}`));
      const bytes = Buffer.byteLength(JSON.stringify(card));
      assert.ok(bytes <= CARD_BUDGET_BYTES, `/lockbox history ${asked}: ${bytes} bytes`);
      const text = JSON.stringify(card);
      const shown = (text.match(/(Approved|Rejected) by \*\*/g) ?? []).length;
      const more = /"text":"(\d+) more not shown: the card would be too large for Teams\."/.exec(text);
      assert.equal(shown + Number(more?.[1] ?? 0), asked, `/lockbox history ${asked}: ${shown} shown, ${more?.[1] ?? 'none'} said to be left out`);
      if (asked === HISTORY_MAX) assert.ok(more, 'fifty long entries do not fit, and the card says so');
      assert.match(text, new RegExp(`"text":"The last ${shown === 1 ? 'decision' : `${shown} decisions`}"`), 'the title counts what it shows');
    }
  });

  it('/lockbox history says a decision was withdrawn, never sent, when its write landed after its clicker was told nothing was decided', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    // What a click whose store was too slow leaves behind once its write lands anyway: a decision held for it, never released.
    const store = SqliteStore.open(path.join(h.dataDir, 'lockbox.sqlite'));
    const found = (await store.getRequest(key))!;
    const decidedAt = clock.now().toISOString();
    const actor = { aadObjectId: USERS.alex.aadObjectId, tenantId: TENANT_ID, name: USERS.alex.name };
    const submission = { state: 'pending' as const, attempts: 0, heldBy: 'attempt-late', heldUntil: new Date(clock.now().getTime() + 15_000).toISOString() };
    await store.replaceRequest({ ...found.value, decision: { verdict: 'approve', actor, comment: 'late', decidedAt, roles: ['Owner'], submission } }, found.etag);
    await store.appendAudit({ at: decidedAt, kind: 'decision.recorded', requestKey: key, actor, detail: { verdict: 'approve', comment: 'late', attemptId: 'attempt-late' } });
    await store.close();

    clock.advance(16_000);
    await h.bot.watcher.runOnce();
    assert.deepEqual((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).decisions, []);
    const text = textOf(await say(USERS.megan, '/lockbox history'));
    assert.match(text, /Approved by \*\*Alex Wilber\*\*/);
    assert.match(text, /withdrawn, never sent to Microsoft: the store did not confirm it in time/);
  });

  it('lists the last decisions with who, what, when and the comment, for admins only', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: `azure:${SUBSCRIPTION_ID}:${requestId}`, comment: 'case 77' }));
    const text = textOf(await say(USERS.megan, '/lockbox history 5'));
    assert.match(text, /Approved by \*\*Alex Wilber\*\*/);
    assert.match(text, /case 77/);
    assert.match(text, /"text":"The last decision"/, 'the title counts what is shown: one decision, though five were asked for');
    assert.match(text, /Azure · VM-/, 'the product and the resource by name');
    assert.ok(!text.includes(`azure:${SUBSCRIPTION_ID}`), 'not the internal key');
    assert.match(textOf(await say(USERS.adele, '/lockbox history')), /You need Global Administrator for that, and you don't have it\. Nothing was changed\./);
  });

  it('turns Customer Lockbox off after the admin confirms, and says what changed', async () => {
    const confirmation = confirmationIn(await say(USERS.megan, '/lockbox disable'));
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true, 'nothing changes before the confirmation');
    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.megan, 'lockbox.switch.confirm', confirmation));
    assert.match(JSON.stringify(answer.body.value), /Customer Lockbox is off for Azure/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), false);
    const audit = await h.audit();
    assert.equal(audit.find((a) => a.kind === 'admin.lockbox-switched')?.actor?.aadObjectId, USERS.megan.aadObjectId);
  });

  it('refuses enable and disable to someone without the role, naming the role', async () => {
    assert.match(textOf(await say(USERS.adele, '/lockbox enable')), /You need Global Administrator for that, and you don't have it\. Nothing was changed\./);
    const text = textOf(await say(USERS.alex, '/lockbox disable'));
    assert.match(text, /You need Global Administrator for that, and you don't have it\. Nothing was changed\./);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
  });

  it('refuses a confirmation clicked by someone else, and keeps it for the person who asked', async () => {
    const confirmation = confirmationIn(await say(USERS.megan, '/lockbox disable'));
    const intruder = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.switch.confirm', confirmation));
    assert.match(JSON.stringify(intruder.body.value), /Only the person who asked/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.megan, 'lockbox.switch.confirm', confirmation));
    assert.equal(h.simulator.tenant.isLockboxEnabled(), false);
  });

  it('refuses a confirmation that expired', async () => {
    const confirmation = confirmationIn(await say(USERS.megan, '/lockbox disable'));
    clock.advance(6 * 60_000);
    const late = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.megan, 'lockbox.switch.confirm', confirmation));
    assert.match(JSON.stringify(late.body.value), /expired/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
  });

  it('says plainly when Microsoft fails the switch, and changes nothing', async () => {
    h.simulator.tenant.setLockboxEnabled(false);
    const confirmation = confirmationIn(await say(USERS.megan, '/lockbox enable azure'));
    await injectFault(h.simulator.url, { path: 'enableLockbox', status: 500, times: 5 });
    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.megan, 'lockbox.switch.confirm', confirmation));
    assert.match(JSON.stringify(answer.body.value), /Microsoft did not accept it/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), false);
  });
});

describe('/lockbox commands with both products watched', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure,m365' } });
    for (const user of [USERS.alex, USERS.megan]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const say = async (user: TeamsUser, text: string) => {
    const before = h.connector.calls.length;
    await h.post(message(h.connector.url, TENANT_ID, user, text));
    return h.connector.calls.slice(before).filter((c) => c.method === 'POST').map((c) => (c.body.attachments ? JSON.stringify(cardOf(c.body)) : String(c.body.text))).join('\n');
  };

  const lastCard = () => cardOf(h.connector.calls.filter((c) => c.method === 'POST' && Array.isArray(c.body.attachments)).at(-1)!.body) as any;
  const click = async (user: TeamsUser, verb: string, data: unknown) => (await h.post(cardAction(h.connector.url, TENANT_ID, user, verb, data))).body.value;

  it('offers the products as buttons when the command does not say which, each leading to the usual confirmation', async () => {
    await say(USERS.megan, '/lockbox disable');
    const chooser = lastCard();
    assert.match(JSON.stringify(chooser), /Turn Customer Lockbox off for which product\?/);
    assert.deepEqual(chooser.actions.map((a: any) => [a.verb, a.title, a.data]), [
      ['lockbox.switch.choose', 'Azure', { action: 'disable', source: 'azure' }],
      ['lockbox.switch.choose', 'Microsoft 365', { action: 'disable', source: 'm365' }],
    ]);
    const confirm = await click(USERS.megan, 'lockbox.switch.choose', chooser.actions[1].data);
    assert.match(JSON.stringify(confirm), /Turn Customer Lockbox off for Microsoft 365\?/);
    const { confirmationId } = confirm.actions.find((a: any) => a.verb === 'lockbox.switch.confirm').data;
    assert.equal(h.simulator.tenant.isM365LockboxEnabled(), true, 'nothing changes before the confirmation');
    const done = JSON.stringify(await click(USERS.megan, 'lockbox.switch.confirm', { confirmationId }));
    assert.match(done, /Customer Lockbox is off for Microsoft 365/);
    assert.match(done, /Turn it back on with \/lockbox enable m365\./, 'the hint names the product');
    assert.equal(h.simulator.tenant.isM365LockboxEnabled(), false);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
  });

  it('checks the role when a product button is clicked, like the command does', async () => {
    const answer = JSON.stringify(await click(USERS.alex, 'lockbox.switch.choose', { action: 'disable', source: 'azure' }));
    assert.match(answer, /You need Global Administrator for that, and you don't have it\. Nothing was changed\./);
    assert.doesNotMatch(answer, /lockbox\.switch\.confirm/);
  });

  it('says a product is already on and asks nothing, from the command and from the button', async () => {
    const before = (await h.audit()).length;
    const text = await say(USERS.megan, '/lockbox enable azure');
    assert.match(text, /Customer Lockbox is already on for Azure\. Nothing to do\./);
    assert.doesNotMatch(text, /lockbox\.switch\.confirm/);
    const answer = JSON.stringify(await click(USERS.megan, 'lockbox.switch.choose', { action: 'enable', source: 'm365' }));
    assert.match(answer, /already on for Microsoft 365/);
    assert.doesNotMatch(answer, /lockbox\.switch\.confirm/);
    assert.equal((await h.audit()).length, before, 'nothing to audit');
  });

  it('refuses damaged product-choice data', async () => {
    assert.match(JSON.stringify(await click(USERS.megan, 'lockbox.switch.choose', { action: 'explode', source: 'azure' })), /This card is damaged/);
    assert.match(JSON.stringify(await click(USERS.megan, 'lockbox.switch.choose', { action: 'disable', source: 'gcp' })), /This card is damaged/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
  });

  it('says in help who may switch each product', async () => {
    const text = await say(USERS.alex, '/lockbox help');
    assert.match(text, /Azure: Global Administrator; Microsoft 365: Global Administrator or Customer LockBox Access Approver/);
  });

  it('lets a Customer LockBox Access Approver switch Microsoft 365, but not Azure', async () => {
    assert.match(await say(USERS.alex, '/lockbox disable m365'), /Turn Customer Lockbox off for Microsoft 365\?/);
    assert.match(await say(USERS.alex, '/lockbox disable azure'), /You need Global Administrator for that, and you don't have it\. Nothing was changed\./);
  });

  it('shows /lockbox history only of the products the asker administers', async () => {
    const azure = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    const m365 = h.simulator.tenant.createM365Request({});
    await h.bot.watcher.runOnce();
    await click(USERS.alex, 'lockbox.approve', { requestKey: `azure:${SUBSCRIPTION_ID}:${azure.requestId}`, comment: 'azure-decision-comment' });
    await click(USERS.alex, 'lockbox.approve', { requestKey: `m365:tenant:${m365.requestId}`, comment: 'm365-decision-comment' });
    const alex = await say(USERS.alex, '/lockbox history');
    assert.match(alex, /m365-decision-comment/);
    assert.doesNotMatch(alex, /azure-decision-comment/, 'a Microsoft 365 admin does not read Azure decisions');
    const megan = await say(USERS.megan, '/lockbox history');
    assert.match(megan, /m365-decision-comment/);
    assert.match(megan, /azure-decision-comment/);
  });

  it('reports both products in status', async () => {
    const text = await say(USERS.megan, '/lockbox status');
    assert.match(text, /Azure Customer Lockbox/);
    assert.match(text, /Microsoft 365 Customer Lockbox/);
  });
});
