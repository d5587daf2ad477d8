import assert from 'node:assert/strict';
import { cardAction, installUpdate, type TeamsUser } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

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

const verbs = (card: Record<string, unknown>) => ((card.actions ?? []) as { verb?: string }[]).map((a) => a.verb);
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
});
