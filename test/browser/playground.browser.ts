/*
 * The bot as a person meets it: the real program (as `npm start` runs it, in its own process), the
 * simulated tenant, and the Microsoft 365 Agents Playground (the local Teams client) driven in
 * Chromium. Every step leaves a screenshot under test-results/playground/.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { freePort, launchChromium, loopbackContext, resultsDir, ROOT, waitFor, withCurrentUser } from './support';

const PLAYGROUND_CLI = path.join(ROOT, 'node_modules/@microsoft/m365agentsplayground/cli.js');
const WELCOME = /Hi! I'm Lockbox Bot/;

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

function run(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, log: string): Child {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk;
    fs.appendFileSync(log, chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, output: () => out, exited };
}

async function stop(running: Child | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const killer = setTimeout(() => running.child.kill('SIGKILL'), 5000);
  await running.exited;
  clearTimeout(killer);
}

describe('the Agents Playground in Chromium: approvers decide from the card, others cannot', function () {
  this.timeout(120_000);

  let shots: string;
  let step = 0;
  let tmp: string;
  let sim: RunningSimulator;
  let bot: Child;
  let botUrl: string;
  let playground: Child | undefined;
  let playgroundPort: number;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let page: Page;

  const shot = async (name: string, target?: Locator) => {
    const file = path.join(shots, `${String(++step).padStart(2, '0')}-${name}.png`);
    if (target) await target.scrollIntoViewIfNeeded();
    await page.screenshot({ path: file });
  };

  const admin = async (method: 'GET' | 'POST', urlPath: string, body?: object): Promise<any> => {
    const response = await fetch(`${sim.url}${urlPath}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    assert.ok(response.ok, `${method} ${urlPath} answered ${response.status}`);
    return response.json();
  };

  /** A new Pending Azure request, made as a Microsoft engineer would cause one. */
  const newRequest = async (justification: string): Promise<string> => {
    const created = await admin('POST', '/_simulator/lockbox/requests', { justification });
    return created.properties.requestId as string;
  };

  const upstream = (requestId: string) => admin('GET', `/_simulator/lockbox/requests/${requestId}`);

  /** The card in the chat that shows this request (the Playground renders each with the adaptivecards library). */
  // The outermost card: a card's "Add a comment" opens a card of its own inside it.
  const cardFor = (text: string | RegExp) => page.locator('.ac-adaptiveCard').filter({ hasText: text }).first();

  /** Starts the Playground on the same port each time (the bot's saved conversation points there) as the given user. */
  async function startPlayground(currentUser: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(tmp, 'playground-'));
    const yml = fs.readFileSync(path.join(ROOT, '.m365agentsplayground.yml'), 'utf8');
    fs.writeFileSync(path.join(dir, '.m365agentsplayground.yml'), currentUser === 'Alex Wilber' ? yml : withCurrentUser(yml, currentUser));
    playground = run(
      [PLAYGROUND_CLI, '-e', `${botUrl}/api/messages`, '-c', 'msteams', '--dt', '-p', String(playgroundPort)],
      { cwd: dir, env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', M365_AGENTS_PLAYGROUND_LOGFILE: path.join(shots, 'playground.log') } },
      path.join(shots, 'playground.out.log'),
    );
    const port = await waitFor(() => /Listening on (\d+)/.exec(playground!.output())?.[1], 'the Playground to listen');
    assert.equal(Number(port), playgroundPort, `the Playground took port ${port}, not ${playgroundPort} (was it taken?)`);
  }

  /** A fresh browser session on the Playground, once the bot has greeted (so it has saved the chat). */
  async function openPlayground(): Promise<void> {
    await context?.close();
    context = await loopbackContext(browser, { width: 1280, height: 900 });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`http://localhost:${playgroundPort}/`);
    await page.getByText(WELCOME).first().waitFor();
  }

  before(async () => {
    shots = resultsDir('playground');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-browser-'));
    sim = await startSimulator({ port: 0 });
    bot = run(
      ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/index.ts'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          PORT: '0',
          SIMULATOR: sim.url,
          PLAYGROUND: 'off',
          DATA_DIR: path.join(tmp, 'data'),
          POLL_INTERVAL_SECONDS: '1',
          LOCKBOX_SOURCES: 'azure',
          LOG_LEVEL: 'info',
        },
      },
      path.join(shots, 'bot.log'),
    );
    botUrl = await waitFor(() => /Bot endpoint:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(bot.output())?.[1], 'the bot to start', 30_000);
    playgroundPort = await freePort();
    await startPlayground('Alex Wilber');
    browser = await launchChromium();
    await openPlayground();
    await shot('alex-opens-the-playground');
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stop(playground);
    await stop(bot);
    await sim?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the approver the card of a new request; a comment and Approve decide it, on the card and upstream', async () => {
    const requestId = await newRequest('Case 2611-42: mailbox move for the finance team fails with a permissions error.');
    // The request id is under the card's hidden Details: the card is found by what a reader sees.
    const card = cardFor('Case 2611-42');
    await card.getByText(/asks for/).first().waitFor();
    await shot('alex-sees-the-new-card', card);

    const comment = 'Checked with the on-call engineer: case 2611-42 is ours.';
    await card.getByRole('button', { name: 'Add a comment' }).click();
    await card.locator('textarea').fill(comment);
    await shot('alex-types-a-comment', card);
    // The comment's own Approve, under the box (the first one, on the card's first screen, sends no comment).
    await card.getByRole('button', { name: 'Approve', exact: true }).last().click();

    const decided = cardFor(comment);
    await decided.getByText(/Approved by Alex Wilber/).waitFor();
    // The bot's own update, once Microsoft has the decision, replaces the card again, live.
    await decided.getByText(/Microsoft can (read|access)/).waitFor();
    assert.equal(await decided.getByRole('button', { name: 'Approve', exact: true }).count(), 0, 'the decided card has no buttons');
    await shot('alex-sees-the-approved-card', decided);

    const after = await upstream(requestId);
    assert.equal(after.request.properties.status, 'Approved');
    assert.deepEqual(after.decisions.map((d: any) => [d.status, d.reason]), [['Approve', comment]]);
  });

  it('rejects a second request with a comment: the card says so and the simulated tenant shows Denied', async () => {
    const requestId = await newRequest('Case 2611-57: restore a deleted storage container for the data team.');
    const card = cardFor('Case 2611-57');
    await card.getByText(/asks for/).first().waitFor();
    await shot('second-request-card', card);

    const comment = 'Nobody here opened case 2611-57.';
    await card.getByRole('button', { name: 'Add a comment' }).click();
    await card.locator('textarea').fill(comment);
    await card.getByRole('button', { name: 'Reject', exact: true }).last().click();

    const decided = cardFor(comment);
    await decided.getByText(/Rejected by Alex Wilber/).waitFor();
    await decided.getByText('Access refused').waitFor();
    await shot('alex-sees-the-rejected-card', decided);

    const after = await upstream(requestId);
    assert.equal(after.request.properties.status, 'Denied');
    assert.deepEqual(after.decisions.map((d: any) => [d.status, d.reason]), [['Deny', comment]]);
  });

  it('answers /lockbox help and /lockbox status typed into the message box with their cards', async () => {
    const box = page.locator('[data-lexical-editor="true"]');
    const say = async (text: string) => {
      await box.click();
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    };

    await say('/lockbox help');
    const help = cardFor('Lockbox Bot commands');
    await help.getByText('/lockbox pending').waitFor();
    await shot('help-card', help);

    await say('/lockbox status');
    const status = cardFor('Lockbox Bot status');
    await status.getByText('Azure Customer Lockbox').waitFor();
    await status.getByText('Waiting for a decision').waitFor();
    await shot('status-card', status);
  });

  it('refuses a click from someone without an approver role, and nothing is decided upstream', async () => {
    await context?.close();
    context = undefined;
    await stop(playground);
    await startPlayground('Adele Vance');
    await openPlayground();
    assert.match((await page.locator('body').innerText()), /Adele Vance/, 'the Playground shows Adele as the current user');

    // The bot posts new cards to the approvers' chats; in the Playground that is the one personal chat on screen.
    const requestId = await newRequest('Case 2611-63: collect diagnostics from the payments VM.');
    const card = cardFor('Case 2611-63');
    await card.getByText(/asks for/).first().waitFor();
    await card.getByRole('button', { name: 'Add a comment' }).click();
    await card.locator('textarea').fill('Adele trying to approve.');
    await shot('adele-sees-a-card', card);
    await card.getByRole('button', { name: 'Approve', exact: true }).last().click();

    // The refusal replaces Adele's copy and tells her nothing of the request.
    const refused = cardFor("You can't decide this request");
    await refused.waitFor();
    await shot('adele-is-refused', refused);

    const after = await upstream(requestId);
    assert.equal(after.request.properties.status, 'Pending');
    assert.deepEqual(after.decisions, []);
    // Still nothing after the bot's watcher has run a few more times.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual((await upstream(requestId)).decisions, []);
  });
});
