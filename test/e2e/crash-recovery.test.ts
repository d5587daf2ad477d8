import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { cardAction, installUpdate } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf, startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { SUBSCRIPTION_ID, TENANT_ID, USERS } from '../support/harness';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');


/** The real program in its own process, as `npm start` runs it, pointed at a simulator this test owns. */
async function startBot(simulatorUrl: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', SIMULATOR: simulatorUrl, PLAYGROUND: 'off', DATA_DIR: dataDir, POLL_INTERVAL_SECONDS: '1', SUBMISSION_LEASE_SECONDS: '5', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  const url = await waitFor(() => /Bot endpoint:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 'the bot to start');
  return { child, url };
}

describe('a decision survives the bot being killed mid-submission', function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let connector: FakeConnector;
  let dataDir: string;
  let bot: { child: ChildProcess; url: string } | undefined;

  beforeEach(async () => {
    sim = await startSimulator({ port: 0 });
    connector = await startFakeConnector();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-crash-'));
  });
  afterEach(async () => {
    bot?.child.kill('SIGKILL');
    await connector.close();
    await sim.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (activity: object) =>
    fetch(`${bot!.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) })
      .then(async (r) => ({ status: r.status, body: (await r.json().catch(() => undefined)) as any }));
  const approvals = async () => ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string; status: number }[]).filter((c) => c.path.endsWith('/updateApproval'));

  async function clickThenKill(fault: Record<string, unknown>) {
    bot = await startBot(sim.url, dataDir);
    await post(installUpdate(connector.url, TENANT_ID, USERS.alex));
    const { requestId } = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await waitFor(() => connector.postedCards().length === 1, 'the card');
    await injectFault(sim.url, { path: 'updateApproval$', delayMs: 3000, ...fault });

    const answer = await post(cardAction(connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: `azure:${SUBSCRIPTION_ID}:${requestId}`, comment: 'case 5' }));
    assert.match(JSON.stringify(answer.body.value), /Sending it to Microsoft/, 'the decision is recorded and on its way');
    bot.child.kill('SIGKILL');
    await new Promise((resolve) => bot!.child.once('exit', resolve));
    return requestId;
  }

  async function restartAndSettle(requestId: string) {
    bot = await startBot(sim.url, dataDir);
    const card = connector.postedCards()[0]!.body.id as string;
    await waitFor(() => connector.updates(card).some((u) => /Microsoft can (read|access) \*\*/.test(JSON.stringify(cardOf(u.body)))), 'the card to show the approval');
    assert.equal(sim.tenant.getRequest(requestId)?.status, 'Approved');
  }

  it('does not submit again when Microsoft got the decision before the crash', async () => {
    const requestId = await clickThenKill({ reset: true });
    // The call in flight landed upstream; only its answer was lost with the process.
    sim.tenant.decide(SUBSCRIPTION_ID, requestId, 'Approve', 'case 5');
    await restartAndSettle(requestId);
    assert.equal((await approvals()).filter((c) => c.status === 200).length, 0, 'no second updateApproval');
    assert.equal(sim.tenant.getRequest(requestId)?.decisions.length, 1);
  });

  it('submits exactly once after restart when the call in flight never arrived', async () => {
    const requestId = await clickThenKill({ reset: true });
    await restartAndSettle(requestId);
    const calls = await approvals();
    assert.equal(calls.filter((c) => c.status === 200).length, 1);
    assert.deepEqual(sim.tenant.getRequest(requestId)?.decisions.map((d) => [d.status, d.reason]), [['Approve', 'case 5']]);
  });
});
