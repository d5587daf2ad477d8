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
    assert.equal(key, `m365:tenant:${record.requestId}`);

    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'Mailbox move, case 9' }));
    assert.match(JSON.stringify(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    const upstream = h.simulator.tenant.getM365Request(record.requestId)!;
    assert.equal(upstream.approvalStatus, 'Approved');
    assert.deepEqual(upstream.decisions.map((d) => [d.decision, d.comment]), [['Approve', 'Mailbox move, case 9']]);
  });
});
