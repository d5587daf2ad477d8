import assert from 'node:assert/strict';
import { installUpdate, message, type TeamsUser } from '../support/activities';
import { injectFault } from '../support/clients';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

/** pending, history and status go through the domain's one authorise-and-audit step, like decide and switch. */
describe('/lockbox pending, history and status as use cases', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', ROLE_CACHE_SECONDS: '0' } });
    for (const user of [USERS.alex, USERS.adele]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const say = async (user: TeamsUser, text: string) => {
    const before = h.connector.calls.length;
    await h.post(message(h.connector.url, TENANT_ID, user, text));
    return JSON.stringify(h.connector.calls.slice(before).map((c) => c.body));
  };

  it('says it cannot check roles when the directory fails, instead of claiming nothing waits', async () => {
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    await injectFault(h.simulator.url, { path: 'roleAssignments', status: 503, times: 100 });
    const answer = await say(USERS.alex, '/lockbox pending');
    assert.match(answer, /Can't verify your role right now/);
    assert.doesNotMatch(answer, /No lockbox requests are waiting/);
  });

  it('audits a refused /lockbox history with the roles the check found', async () => {
    const answer = await say(USERS.adele, '/lockbox history');
    assert.match(answer, /You need Global Administrator for that, and you don't have it\. Nothing was changed\./);
    const [refusal] = (await h.audit()).filter((a) => a.kind === 'admin.refused');
    assert.equal(refusal?.actor?.aadObjectId, USERS.adele.aadObjectId);
    assert.equal(refusal?.detail.command, 'history');
    assert.equal(refusal?.detail.reason, 'no-role');
    assert.deepEqual(refusal?.detail.heldRoles, []);
  });

  it('reports status to anyone of the organisation', async () => {
    assert.match(await say(USERS.adele, '/lockbox status'), /Waiting for a decision/);
  });
});
