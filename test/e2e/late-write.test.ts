import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import type { Store } from '../../src/domain/ports';
import { createTableClient } from '../../src/store/table-client';
import { TableStore } from '../../src/store/table';
import { cardAction, installUpdate } from '../support/activities';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { injectFault } from '../support/clients';
import { startHoldingRelay, type HoldingRelay } from '../support/holding-relay';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { SUBSCRIPTION_ID, TENANT_ID, USERS } from '../support/harness';
import { startProgram, type Program } from '../support/program';
import { waitFor } from '../support/wait';

/** As long as a click may take to release its decision (the hold), and a little more. */
const LONGER_THAN_THE_HOLD_MS = 16_000;

describe('a click answered "nothing was decided" on a frozen Table store is never sent, even after a crash (Azurite behind a relay that holds and releases)', function () {
  this.timeout(120_000);
  let azurite: RunningAzurite;
  let relay: HoldingRelay;
  let sim: RunningSimulator;
  let connector: FakeConnector;
  let dataDir: string;
  let reader: Store;
  let bot: { program: Program; url: string } | undefined;

  beforeEach(async () => {
    azurite = await startAzurite();
    relay = await startHoldingRelay(new URL(azurite.endpoint));
    sim = await startSimulator({ port: 0 });
    connector = await startFakeConnector();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-late-write-'));
    reader = await TableStore.open(createTableClient({ connectionString: azurite.connectionString }));
  });
  afterEach(async () => {
    bot?.program.child.kill('SIGKILL');
    await connector.close();
    await sim.close();
    await relay.close();
    await azurite.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The real program in its own process, on the Table store through the relay, against the simulator this test owns. */
  async function startBot(pollSeconds: number) {
    const program = startProgram({
      PORT: '0', SIMULATOR: sim.url, PLAYGROUND: 'off', DATA_DIR: dataDir, LOG_LEVEL: 'error', LOCKBOX_SOURCES: 'azure',
      STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: azurite.connectionString.replace(new URL(azurite.endpoint).origin, relay.url),
      POLL_INTERVAL_SECONDS: String(pollSeconds), LEADER_LEASE_SECONDS: '3',
    });
    const url = await waitFor(() => /Bot endpoint:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(program.output().stdout)?.[1], 'the bot to start', 60_000);
    bot = { program, url };
    return bot;
  }
  const post = (activity: object) =>
    fetch(`${bot!.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) })
      .then(async (r) => ({ status: r.status, body: (await r.json().catch(() => undefined)) as any }));
  const faultsLeft = async () => ((await (await fetch(`${sim.url}/_simulator/faults`)).json()) as unknown[]).length;
  const approvals = async () => ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string }[]).filter((c) => c.path.endsWith('/updateApproval'));

  it('the write lands after the answer, the process is killed, the store stays frozen past the hold: the next leader withdraws it and Microsoft never hears of it', async () => {
    const { requestId } = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    // A long interval: only the install's kick polls, so the role check below is the click's own.
    await startBot(3600);
    await post(installUpdate(connector.url, TENANT_ID, USERS.alex));
    await waitFor(() => connector.postedCards().length === 1, 'the card');

    // The click reads the request, then waits on its live role check; the store freezes meanwhile, so the
    // decision's write is sent into a frozen store and the click answers before it could land.
    // Only the click's own check (assignedTo), never an approver listing (atScope()) a background cycle may make.
    await injectFault(sim.url, { path: 'roleAssignments$', query: 'assignedTo\\(', delayMs: 1500 });
    const clicked = post(cardAction(connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'case 9' }));
    await waitFor(async () => (await faultsLeft()) === 0, 'the click to ask for the role');
    relay.hold();
    const answer = await clicked;
    assert.match(JSON.stringify(answer.body.value), /storage did not answer in time, so nothing was decided and nothing was sent to Microsoft/);
    await waitFor(() => /verdict\W+approve/.test(relay.held()), "the decision's write, sent into the frozen store");
    // Meanwhile the leader cannot renew its lease on the frozen store, and /healthz says so rather than "ok".
    const health = await waitFor(async () => {
      const response = await fetch(`${bot!.url}/healthz`);
      const body = (await response.json()) as { ok: boolean; store: string; leaderLease: { ok: boolean; lastProblem: { problem: string } | null } };
      return !body.leaderLease.ok && { status: response.status, body };
    }, 'the lease problem to show in /healthz');
    assert.equal(health.status, 503);
    assert.equal(health.body.ok, false);
    assert.notEqual(health.body.leaderLease.lastProblem, null);

    bot!.program.child.kill('SIGKILL');
    await bot!.program.exited;
    await new Promise((resolve) => setTimeout(resolve, LONGER_THAN_THE_HOLD_MS));
    relay.release();
    const landed = await waitFor(async () => (await reader.getRequest(key))?.value.decision, 'the write in flight to land after all');
    assert.equal(landed.verdict, 'approve');
    assert.ok(landed.submission.heldBy, 'held for a click that never released it');

    await startBot(1);
    const withdrawn = await waitFor(async () => (await reader.listAudit({ requestKey: key, kinds: ['decision.withdrawn'], limit: 5 }))[0], 'the leader to withdraw it', 30_000);
    assert.equal(withdrawn.detail.reason, 'never-released');
    assert.equal((await reader.getRequest(key))?.value.decision, undefined);
    assert.deepEqual(await approvals(), [], 'Microsoft never got the decision its clicker was told was not made');
    assert.equal(sim.tenant.getRequest(requestId)?.status, 'Pending');

    // Told to try again, Alex does: that decision is recorded and sent, once.
    const again = await post(cardAction(connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'case 9' }));
    assert.doesNotMatch(JSON.stringify(again.body.value), /nothing was decided/);
    await waitFor(() => sim.tenant.getRequest(requestId)?.status === 'Approved', 'the second click to reach Microsoft');
    assert.equal((await approvals()).length, 1);
  });
});
