import assert from 'node:assert/strict';
import { cardAction, installUpdate } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, TENANT_ID, USERS, type Harness } from '../support/harness';

describe('a Microsoft 365 lockbox request, end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure,m365' } });
    for (const user of [USERS.alex, USERS.megan, USERS.adele]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  it('reaches the Customer LockBox Access Approvers and Global Administrators, and an approval reaches Exchange Online with its comment', async () => {
    const record = h.simulator.tenant.createM365Request({});
    await h.bot.watcher.runOnce();

    const alexCards = h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);
    assert.equal(alexCards.length, 1);
    assert.equal(h.connector.postedCards(`a:personal-${USERS.megan.aadObjectId}`).length, 1);
    assert.equal(h.connector.postedCards(`a:personal-${USERS.adele.aadObjectId}`).length, 0);
    const card = cardOf(alexCards[0]!.body);
    assert.match(JSON.stringify(card), /Microsoft 365/);
    const key = (card.actions as { data?: { requestKey: string } }[])[0]!.data!.requestKey;
    assert.equal(key, `m365:tenant:${record.requestId.toLowerCase()}`, "keys are kept in lower case: one request in any letter case");

    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'Mailbox move, case 9' }));
    assert.match(JSON.stringify(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    const upstream = h.simulator.tenant.getM365Request(record.requestId)!;
    assert.equal(upstream.approvalStatus, 'Approved');
    assert.deepEqual(upstream.decisions.map((d) => [d.decision, d.comment]), [['Approve', 'Mailbox move, case 9']]);
  });

  it('says plainly when Exchange refuses the bot\'s own decision, links the admin center, and shows the decision made there', async () => {
    await fetch(`${h.simulator.url}/_simulator/m365/app-only-decisions`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ allowed: false }) });
    const record = h.simulator.tenant.createM365Request({});
    await h.bot.watcher.runOnce();
    const key = `m365:tenant:${record.requestId}`;
    const [alexCopy] = h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);

    const answer = JSON.stringify((await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }))).body.value);
    assert.match(answer, /did not let Lockbox Bot record this decision/);
    assert.match(answer, /"type":"Action.OpenUrl","title":"Open the Microsoft 365 admin center","url":"https:\/\/admin\.microsoft\.com\//);
    assert.equal(answer.includes('lockbox.approve'), false, 'no buttons that would only fail again');
    assert.equal(h.simulator.tenant.getM365Request(record.requestId)!.approvalStatus, 'Pending');

    // Someone approves in the Microsoft 365 admin center; the bot keeps watching and every copy shows it.
    h.simulator.tenant.setM365RequestStatus(record.requestId, 'Approved');
    await h.bot.watcher.runOnce();
    const last = JSON.stringify(cardOf(h.connector.updates(alexCopy!.body.id as string).at(-1)!.body));
    assert.match(last, /Approved/);
    assert.equal(last.includes('Open the Microsoft 365 admin center'), false);
    assert.equal((await h.audit(key)).some((a) => a.kind === 'decision.failed'), true);
  });

  it('with M365_DECISIONS=admin-center, posts cards that inform and link the admin center, and decides nothing from Teams', async () => {
    await h.close();
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'm365', M365_DECISIONS: 'admin-center' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    const record = h.simulator.tenant.createM365Request({});
    await h.bot.watcher.runOnce();
    const [copy] = h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);
    const card = JSON.stringify(cardOf(copy!.body));
    assert.equal(card.includes('lockbox.approve') || card.includes('lockbox.reject'), false, 'no buttons');
    assert.match(card, /Decide it in the Microsoft 365 admin center/);
    assert.match(card, /"type":"Action.OpenUrl","title":"Open the Microsoft 365 admin center"/);

    const key = `m365:tenant:${record.requestId}`;
    const forged = JSON.stringify((await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }))).body.value);
    assert.match(forged, /decided in the Microsoft 365 admin center, not here/);
    assert.equal(h.simulator.tenant.getM365Request(record.requestId)!.approvalStatus, 'Pending');

    h.simulator.tenant.setM365RequestStatus(record.requestId, 'Denied');
    await h.bot.watcher.runOnce();
    assert.match(JSON.stringify(cardOf(h.connector.updates(copy!.body.id as string).at(-1)!.body)), /Denied|Rejected|Access refused/);
  });
});
