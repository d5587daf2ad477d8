import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { cardAction, installUpdate, type TeamsUser } from '../support/activities';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { SUBSCRIPTION_ID, TENANT_ID, USERS } from '../support/harness';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');
const LEASE_SECONDS = 3;
const APPROVERS = [USERS.alex, USERS.isaiah];


/** Forwards one bot's ARM calls to the simulator and remembers them, so the test knows which instance polled. */
async function startArmProxy(target: string) {
  const calls: { method: string; path: string; at: number }[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    calls.push({ method: req.method ?? '', path: req.url ?? '', at: Date.now() });
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    res.statusCode = upstream.status;
    res.setHeader('content-type', upstream.headers.get('content-type') ?? 'application/json');
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    /** GETs of the request list: the watcher's poll. */
    polls: (since = 0) => calls.filter((c) => c.method === 'GET' && /\/providers\/Microsoft\.CustomerLockbox\/requests\?/.test(c.path) && c.at >= since).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Proxy = Awaited<ReturnType<typeof startArmProxy>>;

interface Bot {
  name: string;
  child: ChildProcess;
  url: string;
  proxy: Proxy;
}

describe('scale-out: three bot processes sharing one Table store', function () {
  this.timeout(60_000);
  let azurite: RunningAzurite;
  let sim: RunningSimulator;
  let connector: FakeConnector;
  let dataDir: string;
  const bots: Bot[] = [];

  before(async () => {
    [azurite, sim, connector] = await Promise.all([startAzurite(), startSimulator({ port: 0 }), startFakeConnector()]);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-scale-'));
  });
  after(async () => {
    for (const bot of bots) bot.child.kill('SIGKILL');
    // Every step runs even if another fails, so no Azurite or bot outlives the test.
    await Promise.allSettled([...bots.map((bot) => bot.proxy.close()), connector?.close(), sim?.close(), azurite?.stop()]);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function startBot(name: string): Promise<Bot> {
    const proxy = await startArmProxy(sim.url);
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/index.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'error',
        SIMULATOR: sim.url, ARM_ENDPOINT: proxy.url, LOCKBOX_SOURCES: 'azure', DATA_DIR: path.join(dataDir, name),
        STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: azurite.connectionString,
        LEADER_LEASE_SECONDS: String(LEASE_SECONDS), POLL_INTERVAL_SECONDS: '1', SUBMISSION_LEASE_SECONDS: '5',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
    const url = await waitFor(() => /Bot endpoint:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], `${name} to start (${out})`, 30_000);
    const bot = { name, child, url, proxy };
    bots.push(bot);
    return bot;
  }

  const alive = () => bots.filter((b) => b.child.exitCode === null && b.child.signalCode === null);
  const role = async (bot: Bot) => ((await (await fetch(`${bot.url}/healthz`)).json()) as { role: string }).role;
  const leaders = async () => {
    const live = alive();
    const roles = await Promise.all(live.map(role));
    return live.filter((_, i) => roles[i] === 'leader');
  };
  const post = async (bot: Bot, activity: object) => {
    const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    assert.equal(response.status, 200, `${bot.name} answered the activity`);
  };
  const click = (bot: Bot, user: TeamsUser, verb: string, requestId: string) =>
    post(bot, cardAction(connector.url, TENANT_ID, user, verb, { requestKey: `azure:${SUBSCRIPTION_ID}:${requestId}`, comment: `by ${user.name} on ${bot.name}` }));
  const cardsOf = (requestId: string, user: TeamsUser) =>
    connector.postedCards(`a:personal-${user.aadObjectId}`).filter((c) => JSON.stringify(c.body).includes(requestId)).length;
  const everyApproverHasACard = (requestId: string) => waitFor(() => APPROVERS.every((u) => cardsOf(requestId, u) >= 1), `the cards of ${requestId}`);
  const approvals = async () => ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string; status: number }[])
    .filter((c) => c.path.endsWith('/updateApproval') && c.status === 200);

  it('lets only the leader poll, replaces a killed leader within the lease, and posts and decides everything exactly once', async () => {
    await Promise.all(['bot-1', 'bot-2', 'bot-3'].map(startBot));
    const [leader, ...more] = await leaders();
    assert.ok(leader, 'one instance leads');
    assert.equal(more.length, 0, 'and only one');
    const followers = bots.filter((b) => b !== leader);

    // Chats are saved by whichever instance Teams reaches; the leader finds them in the shared store.
    await post(followers[0]!, installUpdate(connector.url, TENANT_ID, USERS.alex));
    await post(followers[1]!, installUpdate(connector.url, TENANT_ID, USERS.isaiah));
    const first = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID }).requestId;
    await everyApproverHasACard(first);
    await waitFor(() => leader.proxy.polls() >= 3, 'a few polls by the leader');
    assert.deepEqual(followers.map((b) => b.proxy.polls()), [0, 0], 'followers never poll');

    await click(followers[0]!, USERS.alex, 'lockbox.approve', first);

    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => leader.child.once('exit', resolve));
    const second = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID }).requestId;
    const [successor] = await waitFor(async () => ((await leaders()).length ? leaders() : undefined), 'a new leader', 10_000);
    const takeoverMs = Date.now() - killedAt;
    assert.ok(takeoverMs <= (LEASE_SECONDS + LEASE_SECONDS / 3 + 1) * 1000, `took over in ${takeoverMs} ms`);
    assert.equal((await leaders()).length, 1);
    const follower = followers.find((b) => b !== successor)!;
    await everyApproverHasACard(second);

    await click(follower, USERS.isaiah, 'lockbox.reject', second);
    const third = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID }).requestId;
    await everyApproverHasACard(third);
    // Two approvers deciding the same request at once on two instances: one decision wins.
    await Promise.all([click(successor!, USERS.alex, 'lockbox.approve', third), click(follower, USERS.isaiah, 'lockbox.reject', third)]);

    const requests = [first, second, third];
    await waitFor(async () => (await approvals()).length >= requests.length && requests.every((id) => sim.tenant.getRequest(id)?.status !== 'Pending'), 'every decision upstream');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a few more polls, in which nothing may be sent twice
    for (const id of requests) {
      assert.equal((await approvals()).filter((c) => c.path.includes(id)).length, 1, `one updateApproval for ${id}`);
      assert.equal(sim.tenant.getRequest(id)?.decisions.length, 1);
      for (const user of APPROVERS) assert.equal(cardsOf(id, user), 1, `one card of ${id} for ${user.name}`);
    }
    assert.equal(sim.tenant.getRequest(second)?.status, 'Denied');
    assert.equal(follower.proxy.polls(), 0, 'the remaining follower never polled');
    assert.ok(successor!.proxy.polls(killedAt) >= 1, 'the successor polls');
  });
});
