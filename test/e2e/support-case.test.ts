import assert from 'node:assert/strict';
import { cardAction, installUpdate, type TeamsUser } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { waitUntil } from '../support/wait';

const CASE = '2511280010001234';
const HOUR = 3_600_000;

/** Every text a person reads on a card, in order. */
function texts(card: Record<string, unknown>): string {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.text === 'string') found.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(card.body);
  return found.join('\n');
}

/** The decision verbs a card offers (a ShowCard for the comment has none). */
const verbs = (card: Record<string, unknown>) => ((card.actions ?? []) as { verb?: string }[]).map((a) => a.verb).filter(Boolean);
const NO_OPEN_CASE = 'No open support case of ours matches this request — check before approving.';

describe('the support case on an Azure request card, end to end over HTTP', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const install = async (user: TeamsUser) => assert.equal((await h.post(installUpdate(h.connector.url, TENANT_ID, user))).status, 200);
  const requestedAt = Date.now() - 60_000;
  const openCase = (fields: Record<string, unknown> = {}) =>
    h.simulator.tenant.support.create({ subscriptionId: SUBSCRIPTION_ID, supportTicketId: CASE, title: 'VM restarts unexpectedly', createdDate: new Date(requestedAt - 2 * HOUR).toISOString(), ...fields });
  const newRequest = async (fields: Record<string, string> = {}) => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, supportRequest: CASE, createdDateTime: new Date(requestedAt).toISOString(), ...fields });
    await h.bot.watcher.runOnce();
    return { requestId: record.requestId, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  /** Alex's card as first posted, and as it reads now. */
  const alexCards = () => {
    const [posted] = h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);
    assert.ok(posted, 'a card was posted');
    const latest = h.connector.updates(posted.body.id as string).at(-1) ?? posted;
    return { posted: cardOf(posted.body), latest: cardOf(latest.body) };
  };
  const supportCalls = async () => ((await h.admin('/_simulator/calls')) as { path: string }[]).filter((c) => /Microsoft\.Support/i.test(c.path));

  it('shows the open case on the card: number, title, who opened it and when, severity and status', async () => {
    await install(USERS.alex);
    openCase();
    await newRequest();

    const { posted, latest } = alexCards();
    assert.equal(latest, posted, 'a quick answer is on the card when it is posted: no second message');
    assert.match(texts(posted), new RegExp(`Case ${CASE} · \\*VM restarts unexpectedly\\* · opened by \\*\\*Dana Smith\\*\\* \\(dana\\.smith@contoso\\.example\\) 2 h before this request · severity moderate · \\*\\*Open\\*\\*`));
    assert.doesNotMatch(texts(latest), /No open support case/);
    assert.deepEqual(verbs(latest), ['lockbox.approve', 'lockbox.reject']);
  });

  it('does not hold a card back for a slow look-up: it posts "checking", then updates the card when Azure Support answers', async () => {
    await install(USERS.alex);
    openCase();
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: 'Microsoft.Support/supportTickets$', delayMs: 4000 }) });
    await newRequest();

    const { posted, latest } = alexCards();
    assert.match(texts(posted), new RegExp(`Case ${CASE} · checking it with Azure Support…`));
    assert.match(texts(latest), /\*VM restarts unexpectedly\* · opened by \*\*Dana Smith\*\*/);
    assert.equal((await supportCalls()).length, 1, 'the late answer is the one look-up, not a second');
  });

  it('warns above the buttons when the case is closed', async () => {
    await install(USERS.alex);
    openCase({ status: 'Closed' });
    await newRequest();

    const { latest } = alexCards();
    assert.match(texts(latest), /\*\*Closed\*\*/);
    assert.ok(texts(latest).includes(`${NO_OPEN_CASE} Case ${CASE} is Closed.`));
    assert.deepEqual(verbs(latest), ['lockbox.approve', 'lockbox.reject'], 'a warning, not a block');
  });

  it('warns when no subscription of ours holds the case', async () => {
    await install(USERS.alex);
    await newRequest();

    const { latest } = alexCards();
    assert.match(texts(latest), new RegExp(`Case ${CASE} · not found in any of our subscriptions`));
    assert.ok(texts(latest).includes(NO_OPEN_CASE));
  });

  it('says no case of ours is expected for a request from a Microsoft-internal source, and asks Azure Support nothing', async () => {
    await install(USERS.alex);
    await newRequest({ workitemsource: 'Incident' });

    const { posted } = alexCards();
    assert.match(texts(posted), /Raised from a Microsoft-internal source \(Incident\): no support case of ours is expected\./);
    assert.doesNotMatch(texts(posted), /No open support case/);
    assert.deepEqual(await supportCalls(), []);
  });

  it('says why the case could not be checked when the bot may not read cases, and never blocks a decision', async () => {
    await install(USERS.alex);
    openCase();
    h.simulator.tenant.support.setReadable(SUBSCRIPTION_ID, false);
    const { key, requestId } = await newRequest();

    const { latest } = alexCards();
    assert.match(texts(latest), new RegExp(`Case ${CASE} could not be checked: the bot may not read support cases \\(it needs Reader on the subscription\\)\\. This does not block a decision`));
    assert.deepEqual(verbs(latest), ['lockbox.approve', 'lockbox.reject']);

    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.match(texts(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    assert.equal((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).request.properties.status, 'Approved');
  });

  it('says Azure Support did not answer during an outage', async () => {
    await install(USERS.alex);
    openCase();
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: 'Microsoft.Support/supportTickets$', status: 503, times: 100 }) });
    await newRequest();

    assert.match(texts(alexCards().latest), new RegExp(`Case ${CASE} could not be checked: Azure Support did not answer\\.`));
  });

  it('records in the audit trail what the case look-up found when the decision was made', async () => {
    await install(USERS.alex);
    openCase();
    const { key } = await newRequest();

    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));

    const recorded = (await h.audit(key)).find((a) => a.kind === 'decision.recorded')!;
    const found = recorded.detail.supportCase as { kind: string; case: { caseNumber: string; title: string; status: string; openedBy: unknown } };
    assert.equal(found.kind, 'found');
    assert.deepEqual([found.case.caseNumber, found.case.title, found.case.status], [CASE, 'VM restarts unexpectedly', 'Open']);
    assert.deepEqual(found.case.openedBy, { name: 'Dana Smith', email: 'dana.smith@contoso.example' });
  });
});

describe('REQUIRE_OPEN_SUPPORT_CASE=true, end to end over HTTP', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ env: { REQUIRE_OPEN_SUPPORT_CASE: 'true' } });
  });
  afterEach(async () => {
    await h.close();
  });

  const install = async (user: TeamsUser) => assert.equal((await h.post(installUpdate(h.connector.url, TENANT_ID, user))).status, 200);
  const click = (verb: string, key: string) => h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, verb, { requestKey: key, comment: 'checked' }));
  const newRequest = async (fields: Record<string, string> = {}) => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, supportRequest: CASE, ...fields });
    await h.bot.watcher.runOnce();
    return { requestId: record.requestId, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  const upstream = async (requestId: string) => (await h.admin(`/_simulator/lockbox/requests/${requestId}`)) as { request: { properties: { status: string } }; decisions: unknown[] };
  const decisionCalls = async () => ((await h.admin('/_simulator/calls')) as { path: string }[]).filter((c) => /updateApproval$/.test(c.path));
  const REQUIRED = 'This organisation approves only requests with an open support case of ours (REQUIRE_OPEN_SUPPORT_CASE), so this one can only be rejected.';

  it('refuses an approval when no open case of ours matches, sends nothing upstream, and says why; the card offers only Reject', async () => {
    await install(USERS.alex);
    const { key, requestId } = await newRequest();
    const [posted] = h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);
    assert.ok(texts(cardOf(posted!.body)).includes(REQUIRED));
    assert.deepEqual(verbs(cardOf(posted!.body)), ['lockbox.reject']);

    // A forged or stale Approve click still reaches the decide use case, which refuses it.
    const answer = await click('lockbox.approve', key);

    assert.equal(answer.status, 200);
    assert.match(texts(answer.body.value), /You can't approve this request: this organisation requires an open support case of ours that matches it \(REQUIRE_OPEN_SUPPORT_CASE\)\. Its case is not in any of our subscriptions\. You can still reject it\. Nothing was decided\./);
    assert.deepEqual(verbs(answer.body.value), ['lockbox.reject']);
    assert.equal((await upstream(requestId)).request.properties.status, 'Pending');
    assert.deepEqual((await upstream(requestId)).decisions, []);
    assert.deepEqual(await decisionCalls(), [], 'nothing was sent upstream');
    const refused = (await h.audit(key)).find((a) => a.kind === 'decision.refused')!;
    assert.equal(refused.detail.reason, 'no-open-support-case');
    assert.equal(refused.detail.outcome, 'not-found');
    assert.equal(refused.actor?.aadObjectId, USERS.alex.aadObjectId);

    const rejected = await click('lockbox.reject', key);
    assert.match(texts(rejected.body.value), /Rejected by \*\*Alex Wilber\*\*/);
    assert.equal((await upstream(requestId)).request.properties.status, 'Denied');
  });

  it('refuses an approval when the case is closed, and when the request comes from a Microsoft-internal source', async () => {
    await install(USERS.alex);
    h.simulator.tenant.support.create({ subscriptionId: SUBSCRIPTION_ID, supportTicketId: CASE, status: 'Closed' });
    const closed = await newRequest();
    assert.match(texts((await click('lockbox.approve', closed.key)).body.value), /Its case is closed\./);
    const internal = await newRequest({ workitemsource: 'Incident', supportRequest: '' });
    assert.match(texts((await click('lockbox.approve', internal.key)).body.value), /It comes from a Microsoft-internal source, not from a case of ours\./);
    assert.deepEqual(await decisionCalls(), []);
  });

  it('approves when an open case of ours matches, asking Azure Support again at the click if the last look-up failed', async () => {
    await install(USERS.alex);
    h.simulator.tenant.support.create({ subscriptionId: SUBSCRIPTION_ID, supportTicketId: CASE });
    h.simulator.tenant.support.setReadable(SUBSCRIPTION_ID, false);
    const { key, requestId } = await newRequest();
    const [posted] = h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);
    assert.match(texts(cardOf(posted!.body)), /could not be checked/);

    h.simulator.tenant.support.setReadable(SUBSCRIPTION_ID, true);
    const answer = await click('lockbox.approve', key);

    assert.match(texts(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    assert.equal((await upstream(requestId)).request.properties.status, 'Approved');
    const recorded = (await h.audit(key)).find((a) => a.kind === 'decision.recorded')!;
    assert.equal((recorded.detail.supportCase as { kind: string }).kind, 'found');
  });
});

describe('the information card for the person who opened the support case, end to end over HTTP', () => {
  let h: Harness;
  const LYNNE: TeamsUser = { aadObjectId: '00000000-0000-4000-8000-000000000025', name: 'Lynne Robbins' };

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const install = async (user: TeamsUser) => assert.equal((await h.post(installUpdate(h.connector.url, TENANT_ID, user))).status, 200);
  const newRequest = async () => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, supportRequest: CASE, resourceIds: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-web-prod/providers/Microsoft.Compute/virtualMachines/vm-web-02` });
    await h.bot.watcher.runOnce();
    return { requestId: record.requestId, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  const lynnesCards = () => h.connector.postedCards(`a:personal-${LYNNE.aadObjectId}`);

  it('tells the opener, found in the directory by e-mail, what Microsoft asks and who decides; then the decision', async () => {
    await Promise.all([install(USERS.alex), install(LYNNE)]);
    h.simulator.tenant.support.create({ subscriptionId: SUBSCRIPTION_ID, supportTicketId: CASE, title: 'VM restarts unexpectedly', firstName: 'Lynne', lastName: 'Robbins', primaryEmailAddress: 'LynneR@contoso.example' });
    const { key } = await newRequest();

    const [posted, ...more] = lynnesCards();
    assert.equal(more.length, 0, 'one information card');
    const card = cardOf(posted!.body);
    assert.equal(card.actions, undefined, 'no buttons: the opener does not decide');
    const text = texts(card);
    assert.match(text, /Microsoft asks for access for your support case/);
    assert.match(text, new RegExp(`Case ${CASE} · \\*VM restarts unexpectedly\\*`));
    assert.match(text, /access to \*\*vm-web-02 \(resource group rg-web-prod\)\*\* for 8 hours/);
    assert.match(text, /2 people have been asked to decide: (Alex Wilber, Isaiah Langer|Isaiah Langer, Alex Wilber)\./);
    assert.match(text, /Waiting for a decision/);

    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    await waitUntil(() => h.connector.updates(posted!.body.id as string).some((u) => /Approved by \*\*Alex Wilber\*\*/.test(texts(cardOf(u.body)))));

    await h.bot.watcher.runOnce();
    assert.equal(lynnesCards().length, 1, 'never posted twice');
  });

  it('posts nothing when the opener is not in the directory, and no second card to an opener who is an approver', async () => {
    await Promise.all([install(USERS.alex), install(LYNNE)]);
    h.simulator.tenant.support.create({ subscriptionId: SUBSCRIPTION_ID, supportTicketId: CASE, primaryEmailAddress: 'dana.smith@partner.example' });
    await newRequest();
    assert.equal(lynnesCards().length, 0);
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 1);

    h.simulator.tenant.support.setStatus(CASE, 'Closed');
    const other = '2511280010009876';
    h.simulator.tenant.support.create({ subscriptionId: SUBSCRIPTION_ID, supportTicketId: other, primaryEmailAddress: 'alexw@contoso.example' });
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, supportRequest: other });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 2, 'one request card per request, no information card besides');
  });
});
