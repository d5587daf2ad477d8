import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cardAction, installUpdate } from '../support/activities';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { SUBSCRIPTION_ID, TENANT_ID, USERS } from '../support/harness';
import { programUrls, startProgram, warnings, type Program } from '../support/program';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');

/** `npm run simulate:request` against the embedded simulated tenant. */
async function simulateRequest(simulatorUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'tsx/cjs', 'src/simulator/cli.ts', '--url', simulatorUrl], { cwd: ROOT });
  return /request (\S+) in subscription/.exec(stdout)?.[1] ?? assert.fail(`no request id in: ${stdout}`);
}

describe('restarting npm start on the same DATA_DIR', function () {
  this.timeout(180_000);
  let dataDir: string;
  let connector: FakeConnector;
  let program: Program | undefined;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-restart-'));
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    program?.child.kill('SIGKILL');
    await connector.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    program = startProgram({ PORT: '0', SIMULATOR_PORT: '0', PLAYGROUND: 'off', DATA_DIR: dataDir, POLL_INTERVAL_SECONDS: '1' });
    return programUrls(program);
  };
  const stop = async () => {
    program!.child.kill('SIGTERM');
    assert.equal(await program!.exited, 0);
  };
  const post = (bot: string, activity: object) =>
    fetch(`${bot}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) })
      .then(async (r) => ({ status: r.status, body: (await r.json().catch(() => undefined)) as any }));
  const azureRequests = async (simulator: string) =>
    ((await (await fetch(`${simulator}/_simulator/lockbox/requests`)).json()) as { value: { properties: { requestId: string; status: string } }[] }).value.map((r) => r.properties);

  it('keeps the simulated tenant and the bot in agreement: requests survive, can be approved, and nothing warns', async () => {
    let urls = await start();
    await post(urls.bot, installUpdate(connector.url, TENANT_ID, USERS.alex));
    // The first start creates one request of each kind; simulate:request adds another.
    await waitFor(() => connector.postedCards().length === 2, 'the cards of the first requests', 30_000);
    const added = await simulateRequest(urls.simulator);
    await waitFor(() => connector.postedCards().length === 3, 'the card of the added request');
    const before = await azureRequests(urls.simulator);
    assert.equal(before.length, 2);
    const firstWarnings = warnings(program!);
    await stop();
    assert.deepEqual(firstWarnings, []);
    assert.ok(fs.existsSync(path.join(dataDir, 'simulated-tenant.json')), 'the simulated tenant lives under DATA_DIR');

    urls = await start();
    assert.deepEqual(await azureRequests(urls.simulator), before, 'the restarted tenant knows the same requests and adds none');
    const requestKey = `azure:${SUBSCRIPTION_ID}:${added}`;
    const answer = await post(urls.bot, cardAction(connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey, comment: 'case 7' }));
    assert.equal(answer.status, 200);
    await waitFor(async () => (await azureRequests(urls.simulator)).find((r) => r.requestId === added)?.status === 'Approved', 'the approval upstream');
    // A few poll cycles after the restart: no ghost requests, no warnings.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.equal(connector.postedCards().length, 3, 'no card is posted again');
    assert.deepEqual(warnings(program!), []);
    await stop();
  });
});
