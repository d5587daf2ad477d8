/**
 * How long a card click (an Action.Execute invoke) takes to be answered when 200 arrive at once:
 * 50 Pending Azure requests, each clicked by its 4 approvers at the same moment, so one click per
 * request decides it and the other three are told it is already decided. Everything runs on loopback
 * in this process: the simulated tenant, a fake Bot Connector and the real bot (test/support/harness),
 * started afresh for each round. A click is timed from sending it to the end of its HTTP invoke response.
 * The baseline is a bare teams-ai Application on its own restify server that answers the same invokes
 * with a static card, so the ratio shows what the bot adds on top of the framework and the HTTP stack.
 * Run: npm run bench:clicks
 */
import fs from 'node:fs';
import http from 'node:http';
import inspector from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import restify from 'restify';
import { AZURE_ROLES } from '../src/domain/roles';
import { t } from '../src/teams/i18n';
import { DEFAULT_SEED, type TenantSeed } from '../src/simulator';
import { cardAction, installUpdate, type TeamsUser } from '../test/support/activities';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../test/support/harness';

const REQUESTS = 50;
const VERBS = { approve: 'lockbox.approve', reject: 'lockbox.reject' } as const;
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/**
 * The default seed has two people who may decide a subscription-scoped Azure request (Alex: Customer
 * Lockbox approver for the subscription; Isaiah: Owner); a Global Administrator alone may not, as
 * Microsoft rules. Megan and Patti get Owner on the subscription here, in this benchmark's own seed only,
 * so each request has four different approvers clicking.
 */
const ISAIAH: TeamsUser = { aadObjectId: '00000000-0000-4000-8000-000000000023', name: 'Isaiah Langer' };
const PATTI: TeamsUser = { aadObjectId: '00000000-0000-4000-8000-000000000024', name: 'Patti Fernandez' };
const APPROVERS: TeamsUser[] = [USERS.alex, USERS.megan, ISAIAH, PATTI];
const SEED: TenantSeed = {
  ...DEFAULT_SEED,
  users: DEFAULT_SEED.users.map((u) =>
    u.id === PATTI.aadObjectId || u.id === USERS.megan.aadObjectId ? { ...u, azureRoles: [{ subscriptionId: SUBSCRIPTION_ID, roleDefinitionId: AZURE_ROLES.owner.id }] } : u,
  ),
};

interface Click {
  requestKey: string;
  requestId: string;
  user: TeamsUser;
  verb: string;
  body: string;
}

interface Answer {
  click: Click;
  ms: number;
  status: number;
  body: any;
}

/** A small deterministic PRNG, so every run fires the clicks in the same shuffled order. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Sends every body at once and times each from the call that sends it to the end of its response.
 * A fresh agent per round: every round opens new connections, so neither server gets warm ones.
 */
async function fire(url: string, clicks: Click[]): Promise<Answer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL('/api/messages', url);
  const send = (click: Click) =>
    new Promise<Answer>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(click.body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const ms = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ click, ms, status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(click.body);
    });
  try {
    return await Promise.all(clicks.map(send));
  } finally {
    agent.destroy();
  }
}

/**
 * Fires the clicks and also counts the CPU time this process spent until the last answer. The machine may be
 * shared: wall-clock latency then depends on what else runs, CPU time per click much less so.
 */
async function fireCounted(url: string, clicks: Click[], profileTo?: string): Promise<{ answers: Answer[]; cpuMs: number }> {
  const session = profileTo ? new inspector.Session() : undefined;
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  if (session) {
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  const before = process.cpuUsage();
  const answers = await fire(url, clicks);
  const used = process.cpuUsage(before);
  if (session) {
    fs.writeFileSync(profileTo!, JSON.stringify((await post('Profiler.stop')).profile));
    session.disconnect();
  }
  return { answers, cpuMs: (used.user + used.system) / 1000 };
}

function percentiles(answers: Answer[]) {
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  return { p50: at(50), p95: at(95), p99: at(99), max: times.at(-1)! };
}

type Kind = 'decided' | 'decided-sending' | 'already-decided' | 'refused' | 'other';

/** What the clicker was shown, and whose decision it names. */
function classify(answer: Answer): { kind: Kind; decidedBy?: string; verdict?: string } {
  if (answer.status !== 200 || answer.body?.type !== ADAPTIVE) return { kind: 'other' };
  const text = JSON.stringify(answer.body.value);
  const already = /Already (approved|rejected) by (.+?) at /.exec(text);
  if (already) return { kind: 'already-decided', verdict: already[1], decidedBy: already[2] };
  if (/You can't decide this request|another organisation/.test(text)) return { kind: 'refused' };
  const decided = /(Approved|Rejected) by \*\*(.+?)\*\*/.exec(text);
  if (decided) return { kind: /Sending it to Microsoft/.test(text) ? 'decided-sending' : 'decided', verdict: decided[1]!.toLowerCase(), decidedBy: decided[2] };
  return { kind: 'other' };
}

async function settle(read: () => number, quietMs: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = read();
  let quietSince = Date.now();
  while (Date.now() < until) {
    await sleep(100);
    const now = read();
    if (now !== last) [last, quietSince] = [now, Date.now()];
    else if (Date.now() - quietSince >= quietMs) return;
  }
}

function callKinds(calls: { method: string; path: string }[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const c of calls) {
    const kind = `${c.method} ${c.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function updateApprovalCalls(h: Harness): Promise<{ at: number }[]> {
  const calls = (await h.admin('/_simulator/calls')) as { path: string; at: string }[];
  return calls.filter((c) => c.path.endsWith('/updateApproval')).map((c) => ({ at: Date.parse(c.at) }));
}

/** A fresh system with the 4 approvers' chats, and 50 Pending requests carded to each of them; returns their 200 clicks. */
async function prepareRound(round: number): Promise<{ h: Harness; clicks: Click[] }> {
  const h = await startHarness({ simulator: { seed: SEED } });
  for (const user of APPROVERS) {
    const installed = await h.post(installUpdate(h.connector.url, TENANT_ID, user));
    if (installed.status !== 200) throw new Error(`installing ${user.name} answered ${installed.status}`);
  }
  const requests = Array.from({ length: REQUESTS }, () => h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID }));
  await h.bot.watcher.runOnce();
  const posted = h.connector.postedCards().length;
  if (posted !== REQUESTS * APPROVERS.length) throw new Error(`round ${round}: the poll posted ${posted} cards, expected ${REQUESTS * APPROVERS.length}`);
  await settle(() => h.connector.calls.length, 1000, 30_000);
  await fetch(`${h.simulator.url}/_simulator/calls`, { method: 'DELETE' });
  const clicks: Click[] = [];
  requests.forEach(({ requestId }, i) => {
    const requestKey = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    APPROVERS.forEach((user, j) => {
      const verb = (i + j) % 2 === 0 ? VERBS.approve : VERBS.reject;
      const body = JSON.stringify(cardAction(h.connector.url, TENANT_ID, user, verb, { requestKey }));
      clicks.push({ requestKey, requestId, user, verb, body });
    });
  });
  return { h, clicks: shuffled(clicks, 1234 + round) };
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * The decided card once Microsoft shows the decision, in the card's own English words (read from the catalogue,
 * so a rewording cannot make this wait for text the card no longer has): "**Approved.** Microsoft can …" or
 * "**Access refused.** Microsoft gets no access …".
 */
const FINAL = new RegExp(`\\*\\*(?:${escaped(t('en', 'state.approved'))}|${escaped(t('en', 'state.rejected'))})\\.\\*\\* Microsoft (?:can|gets no)`);

/**
 * Which request-card copies (of the 200) have been updated at all (their buttons are gone), and which show the
 * request's final state. Reads each update once, as it arrives, so watching costs the process next to nothing.
 */
function copyWatcher(h: Harness, requestIds: string[]) {
  const updated = new Set<string>();
  const final = new Set<string>();
  let read = 0;
  return () => {
    const calls = h.connector.calls;
    for (; read < calls.length; read++) {
      const call = calls[read]!;
      if (call.method !== 'PUT') continue;
      const text = JSON.stringify(call.body);
      const id = requestIds.find((r) => text.includes(r));
      if (!id) continue;
      const copy = `${id}|${call.activityId}`;
      updated.add(copy);
      // A later update that is not final (an older state sent late) takes the copy out of the final ones.
      if (FINAL.test(text)) final.add(copy);
      else final.delete(copy);
    }
    return { updated: updated.size, final: final.size };
  };
}

interface BotRound {
  answers: Answer[];
  kinds: Map<Answer, Kind>;
  counts: Record<Kind, number>;
  updateApprovalCalls: number;
  /** When the first and the last updateApproval reached the simulator, in ms after the clicks were fired. */
  upstreamMs: { first: number; last: number };
  /** When every copy of every card had been updated (no buttons left) and showed the final state, in ms after the clicks were fired; undefined if not within the wait. */
  allCopiesUpdatedMs?: number;
  allCopiesFinalMs?: number;
  /** CPU time of the whole process (bot, simulated tenant, fake connector) until the last click was answered. */
  cpuMs: number;
  /** Calls the simulated tenant received until the last click was answered, by method and path (ids as :id). */
  simulatorCalls: Map<string, number>;
  /** The same clicks answered by the echo just before, on the same machine at the same moment. */
  echo: { answers: Answer[]; cpuMs: number; failures: string[] };
  failures: string[];
}

async function botRound(round: number, echoUrl: string): Promise<BotRound> {
  const { h, clicks } = await prepareRound(round);
  try {
    // The echo answers the same clicks right before the bot (its system idle and ready), so both see the same machine.
    const echo = await echoRound(echoUrl, clicks);
    const firedAt = Date.now();
    // BENCH_CPU_PROFILE=<file> writes a CPU profile of the measured round's clicks alone (for finding where time goes).
    const { answers, cpuMs } = await fireCounted(h.bot.url, clicks, round > 0 ? process.env.BENCH_CPU_PROFILE : undefined);
    const simulatorCalls = callKinds((await h.admin('/_simulator/calls')) as { method: string; path: string }[]);

    const failures: string[] = [];
    const counts: Record<Kind, number> = { decided: 0, 'decided-sending': 0, 'already-decided': 0, refused: 0, other: 0 };
    const kinds = new Map<Answer, Kind>();
    const byRequest = new Map<string, { answer: Answer; kind: Kind; decidedBy?: string; verdict?: string }[]>();
    for (const answer of answers) {
      const seen = classify(answer);
      counts[seen.kind]++;
      kinds.set(answer, seen.kind);
      byRequest.set(answer.click.requestKey, [...(byRequest.get(answer.click.requestKey) ?? []), { answer, ...seen }]);
    }
    for (const [key, seen] of byRequest) {
      const winners = seen.filter((s) => s.kind === 'decided' || s.kind === 'decided-sending');
      if (winners.length !== 1) {
        failures.push(`${key}: ${winners.length} clickers were shown their own decision (expected 1): ${seen.map((s) => s.kind).join(', ')}`);
        continue;
      }
      const winner = winners[0]!;
      const expectedVerdict = winner.answer.click.verb === VERBS.approve ? 'approved' : 'rejected';
      if (winner.decidedBy !== winner.answer.click.user.name || winner.verdict !== expectedVerdict) {
        failures.push(`${key}: ${winner.answer.click.user.name} clicked ${winner.answer.click.verb} but was shown "${winner.verdict} by ${winner.decidedBy}"`);
      }
      for (const loser of seen.filter((s) => s !== winner)) {
        if (loser.kind !== 'already-decided' || loser.decidedBy !== winner.decidedBy || loser.verdict !== winner.verdict) {
          failures.push(`${key}: ${loser.answer.click.user.name} was shown ${loser.kind} (${loser.verdict ?? '-'} by ${loser.decidedBy ?? '-'}), expected already ${winner.verdict} by ${winner.decidedBy}`);
        }
      }
      const upstream = await h.admin(`/_simulator/lockbox/requests/${winner.answer.click.requestId}`);
      const expectedStatus = expectedVerdict === 'approved' ? 'Approved' : 'Denied';
      if (upstream.request.properties.status !== expectedStatus) failures.push(`${key}: upstream status is ${upstream.request.properties.status}, expected ${expectedStatus}`);
    }
    if (byRequest.size !== REQUESTS) failures.push(`answers covered ${byRequest.size} requests, expected ${REQUESTS}`);

    // A click may be answered before Microsoft is told (the answer budget): wait for the submissions, then
    // a little longer so a duplicate would show, and for every card copy to reach its final state.
    const requestIds = [...new Set(clicks.map((c) => c.requestId))];
    const until = Date.now() + 60_000;
    let allCopiesUpdatedMs: number | undefined;
    let allCopiesFinalMs: number | undefined;
    const copies = copyWatcher(h, requestIds);
    while (Date.now() < until) {
      const seen = copies();
      if (allCopiesUpdatedMs === undefined && seen.updated === REQUESTS * APPROVERS.length) allCopiesUpdatedMs = Date.now() - firedAt;
      if (allCopiesFinalMs === undefined && seen.final === REQUESTS * APPROVERS.length) allCopiesFinalMs = Date.now() - firedAt;
      if (allCopiesFinalMs !== undefined && (await updateApprovalCalls(h)).length >= REQUESTS) break;
      await sleep(50);
    }
    await settle(() => h.connector.calls.length, 2000, 30_000);
    const calls = await updateApprovalCalls(h);
    if (calls.length !== REQUESTS) failures.push(`${calls.length} updateApproval calls reached the simulator, expected ${REQUESTS}`);
    const upstreamMs = { first: Math.min(...calls.map((c) => c.at)) - firedAt, last: Math.max(...calls.map((c) => c.at)) - firedAt };
    return { answers, kinds, counts, updateApprovalCalls: calls.length, upstreamMs, allCopiesUpdatedMs, allCopiesFinalMs, cpuMs, simulatorCalls, echo, failures };
  } finally {
    await h.close();
  }
}

/**
 * The yardstick: a bare teams-ai Application behind a plain restify server and botbuilder's own CloudAdapter.process,
 * answering both verbs with a static card. None of the bot's code runs in it, so it is the same from build to build.
 */
async function startEcho() {
  const adapter = new TeamsAdapter();
  const app = new Application<TurnState>({ adapter, botAppId: '', removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
  const card = { type: 'AdaptiveCard' as const, $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body: [{ type: 'TextBlock', text: 'Approved by **Echo**', wrap: true }] };
  for (const verb of Object.values(VERBS)) app.adaptiveCards.actionExecute(verb, async () => card);
  const server = restify.createServer({ name: 'echo', handleUncaughtExceptions: false });
  server.use(restify.plugins.jsonBodyParser({ maxBodySize: 1024 * 1024, mapParams: false } as restify.plugins.JsonBodyParserOptions));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function echoRound(url: string, clicks: Click[]) {
  const { answers, cpuMs } = await fireCounted(url, clicks);
  const bad = answers.filter((a) => a.status !== 200 || a.body?.type !== ADAPTIVE).length;
  return { answers, cpuMs, failures: bad ? [`echo: ${bad} of ${answers.length} invokes were not answered with a card`] : [] };
}

const ms = (n: number) => n.toFixed(1);

async function main() {
  const echo = await startEcho();
  let failed = false;
  try {
    // Each bot round gets a fresh system, so the second does not start behind the first round's paced card
    // updates or with its rate-limit windows used up; the process (JIT, modules) stays warm.
    const warmBot = await botRound(0, echo.url);
    const warmEcho = warmBot.echo;
    const bot = await botRound(1, echo.url);
    const echoed = bot.echo;

    const failures = [...warmBot.failures.map((f) => `warm-up: ${f}`), ...warmEcho.failures.map((f) => `warm-up: ${f}`), ...bot.failures, ...echoed.failures];
    const b = percentiles(bot.answers);
    const e = percentiles(echoed.answers);
    const winners = bot.answers.filter((a) => bot.kinds.get(a) === 'decided' || bot.kinds.get(a) === 'decided-sending');
    const losers = bot.answers.filter((a) => bot.kinds.get(a) === 'already-decided');
    const row = (name: string, p: ReturnType<typeof percentiles>) => `| ${name} | ${ms(p.p50)} ms | ${ms(p.p95)} ms | ${ms(p.p99)} ms | ${ms(p.max)} ms |\n`;
    const out = process.stdout;
    out.write(`card-click latency: ${bot.answers.length} concurrent Action.Execute invokes (${REQUESTS} requests x ${APPROVERS.length} approvers), loopback, one process, after 1 warm-up round each\n\n`);
    out.write('| server | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|\n');
    out.write(row('bot (lockbox.approve/reject)', b));
    out.write(row('echo (bare teams-ai, static card)', e));
    out.write(`| ratio bot/echo | ${(b.p50 / e.p50).toFixed(1)}x | ${(b.p95 / e.p95).toFixed(1)}x | ${(b.p99 / e.p99).toFixed(1)}x | ${(b.max / e.max).toFixed(1)}x |\n`);
    if (winners.length) out.write(row(`bot, deciding clicks only (${winners.length})`, percentiles(winners)));
    if (losers.length) out.write(row(`bot, already-decided clicks only (${losers.length})`, percentiles(losers)));
    out.write('\n');
    const perClick = (cpu: number) => `${ms(cpu)} ms (${ms(cpu / bot.answers.length)} ms a click)`;
    out.write(`CPU time of the process until the last answer: bot ${perClick(bot.cpuMs)} (the simulated tenant and fake connector included), echo ${perClick(echoed.cpuMs)}, ratio ${(bot.cpuMs / echoed.cpuMs).toFixed(1)}x\n\n`);
    const upstream = [...bot.simulatorCalls].sort((a, b) => b[1] - a[1]);
    out.write(`Calls to the simulated tenant until the last answer: ${upstream.reduce((n, [, c]) => n + c, 0)} (${upstream.map(([k, c]) => `${c} ${k}`).join('; ')})\n\n`);

    const c = bot.counts;
    const sending = c['decided-sending'];
    out.write('| check | result |\n|---|---|\n');
    out.write(`| decided cards (the clicker's own decision) | ${c.decided + sending} of ${REQUESTS} expected${sending ? `; ${sending} of them still say "Sending it to Microsoft…"` : ''} |\n`);
    out.write(`| already-decided cards | ${c['already-decided']} of ${REQUESTS * (APPROVERS.length - 1)} expected |\n`);
    if (c.refused || c.other) out.write(`| other answers | ${c.refused} refused, ${c.other} unexpected |\n`);
    out.write(`| updateApproval calls at the simulator | ${bot.updateApprovalCalls} of ${REQUESTS} expected (first ${bot.upstreamMs.first} ms, last ${bot.upstreamMs.last} ms after the clicks were fired) |\n`);
    const seconds = (t?: number) => (t === undefined ? 'not within 60 s' : `${(t / 1000).toFixed(1)} s after the clicks were fired`);
    out.write(`| every approver's copy updated (buttons gone) | ${seconds(bot.allCopiesUpdatedMs)} (not a check) |\n`);
    out.write(`| every approver's copy shows the final state | ${seconds(bot.allCopiesFinalMs)} (not a check) |\n`);
    out.write(`| warm-up round | ${warmBot.failures.length + warmEcho.failures.length ? 'checks FAILED' : 'checks passed'}; bot p50 ${ms(percentiles(warmBot.answers).p50)} ms, echo p50 ${ms(percentiles(warmEcho.answers).p50)} ms |\n`);
    out.write(`| correctness | ${failures.length ? `FAILED (${failures.length})` : 'passed'} |\n`);
    for (const f of failures.slice(0, 20)) process.stderr.write(`check failed: ${f}\n`);
    if (failures.length > 20) process.stderr.write(`... and ${failures.length - 20} more\n`);
    failed = failures.length > 0;
  } finally {
    await echo.close();
  }
  // Paced card updates or retries left over must not keep the process alive.
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
