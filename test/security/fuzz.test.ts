import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import sinon from 'sinon';
import type { AuditEntry } from '../../src/domain/ports';
import { SqliteStore } from '../../src/store/sqlite';
import { cardAction, installUpdate, message, personalActivity, type TeamsUser } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { refuseConnectionsOffThisMachine } from '../support/openid';

/**
 * Hostile input at /api/messages. The generator is seeded: a failure names its seed and case, and
 * `FUZZ_SEED=<seed> npx mocha test/security/fuzz.test.ts` replays exactly those cases.
 * CI runs one fixed seed; a run on a developer's machine adds one taken from the clock.
 */
const FIXED_SEED = 20_240_610;
const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const BATCH = 25;
const KB = 1024;
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const FOREIGN_TENANT = '99999999-0000-4000-8000-000000000000';
const MARK = 'fuzz-polluted';

function seeds(): number[] {
  if (process.env.FUZZ_SEED) return [Number(process.env.FUZZ_SEED) >>> 0];
  return process.env.CI ? [FIXED_SEED] : [FIXED_SEED, Date.now() >>> 0];
}

/** mulberry32: small, fast, and the same sequence on every machine. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** A v4-shaped GUID from this sequence, so a replay sends the very same ids. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[this.int(4)]!;
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

const NASTY = [
  '**bold** <script>alert(1)</script> [x](https://evil.example)',
  '{{DATE(2020-01-01T00:00:00Z, SHORT)}} ${requestKey} ${if(true, "a", "b")}',
  "' OR '1'='1'; DROP TABLE audit; --",
  '../../../../etc/passwd', // not a path: a hostile message text
  '%00%2e%2e%2f',
  '\u0000\u0001\u001f\u007f',
  '\r\n\r\nHTTP/1.1 200 OK\r\n',
  '\u202Eevorppa\u202C',
  'Ａｐｐｒｏｖｅ 🤖🔐 ❤️‍🔥 👩🏽‍💻',
  'Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍A̴̵̜̰͔ͫ͗͢L̠ͨͧͩ͘G̴̻͈͍͔̹̑͗̎̅͛́Ǫ̵̹̻̝̳͂̌̌͘',
  '\ud800 lone surrogate \udfff',
  '<at>Lockbox Bot</at> /lockbox enable azure',
  '/lockbox enable; rm -rf /',
  '/lockbox disable azure && curl http://127.0.0.1:9',
  '/lockbox history 10 $(reboot)',
  '/lockbox status `whoami`',
  '/lockbox ' + 'help '.repeat(200),
  'javascript:alert(1)',
  '\\u005f\\u005fproto\\u005f\\u005f',
];
const VERBS = ['lockbox.approve', 'lockbox.reject', 'lockbox.switch.confirm', 'lockbox.switch.cancel'];
const TAMPERED_VERBS = ['lockbox.Approve', ' lockbox.approve', 'lockbox.approve ', 'lockbox.approve\u0000', 'lockbox.аpprove', 'lockbox.approved', 'lockbox', 'lockbox.*', '', 'lockbox.switch', 'lockbox.switch.confirm.x'];
const INVOKE_NAMES = ['adaptiveCard/action', 'task/fetch', 'task/submit', 'composeExtension/query', 'signin/verifyState', 'signin/tokenExchange', 'fileConsent/invoke', 'actionableMessage/executeAction', 'config/fetch', 'healthCheck', 'application/search', 'ADAPTIVECARD/ACTION', ''];
const TYPES = ['message', 'invoke', 'conversationUpdate', 'installationUpdate', 'messageReaction', 'messageUpdate', 'messageDelete', 'typing', 'event', 'endOfConversation', 'handoff', 'trace', 'delay', 'command', 'Message', 'INVOKE', ' message', ''];
const FIELDS = [
  'type', 'id', 'channelId', 'serviceUrl', 'timestamp', 'localTimestamp', 'from', 'from.id', 'from.aadObjectId', 'from.name', 'recipient', 'recipient.id',
  'conversation', 'conversation.id', 'conversation.tenantId', 'conversation.conversationType', 'channelData', 'channelData.tenant', 'channelData.tenant.id',
  'text', 'textFormat', 'value', 'value.action', 'value.action.verb', 'value.action.data', 'value.action.type', 'value.trigger', 'name', 'replyToId',
  'entities', 'attachments', 'membersAdded', 'membersRemoved', 'action', 'locale', 'expiration', 'relatesTo',
];

interface FuzzCase {
  index: number;
  what: string;
  body: string;
  contentType: string;
  /** An adaptiveCard/action invoke with one of the bot's verbs: it must get a card back, never an error. */
  cardAction: boolean;
}

/** Builds the malformed activities; `realKey` is a request that exists, and no case may be able to decide it. */
class Generator {
  constructor(private readonly rng: Rng, private readonly serviceUrl: string, private readonly realKey: string) {}

  string(): string {
    const r = this.rng;
    switch (r.int(6)) {
      case 0: return '';
      case 1: return r.pick(NASTY);
      case 2: return Array.from({ length: 1 + r.int(40) }, () => String.fromCodePoint(r.pick([r.int(0x80), 0x80 + r.int(0x780), 0x4e00 + r.int(0x5000), 0x1f300 + r.int(0x300), 0xfe0f, 0x200b, 0x202e]))).join('');
      case 3: return `${r.pick(NASTY)} `.repeat(1 + r.int(50));
      // Up to 256 KB, the largest field we send; the bot's body limit is 1 MB.
      case 4: return r.pick(['x', 'é', '🔐', '<b>', '{{', '\\', '"', '%']).repeat(r.chance(0.2) ? 64 * KB + r.int(192 * KB) : r.int(4 * KB)).slice(0, 256 * KB);
      default: return this.rng.uuid();
    }
  }

  value(depth = 0): unknown {
    const r = this.rng;
    switch (r.int(depth > 2 ? 5 : 8)) {
      case 0: return null;
      case 1: return r.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 3.14, 1e-300]);
      case 2: return r.chance(0.5);
      case 3: case 4: return this.string();
      case 5: return Array.from({ length: r.int(4) }, () => this.value(depth + 1));
      case 6: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(['requestKey', 'comment', 'verb', 'data', 'id', 'type', 'confirmationId', this.string().slice(0, 20)]), this.value(depth + 1)]));
      default: return this.nested();
    }
  }

  /** Deeply nested arrays or objects, to find recursion without a limit. */
  nested(): unknown {
    let v: unknown = 'bottom';
    const depth = this.rng.pick([50, 500, 3000]);
    for (let i = 0; i < depth; i++) v = this.rng.chance(0.5) ? [v] : { a: v };
    return v;
  }

  actor(): { user: TeamsUser; tenant: string } {
    const r = this.rng;
    const user = r.pick<TeamsUser>([USERS.alex, USERS.isaiah, USERS.adele, { aadObjectId: this.rng.uuid(), name: this.string().slice(0, 200) }, { aadObjectId: '' }]);
    const tenant = r.pick([TENANT_ID, TENANT_ID, TENANT_ID.toUpperCase(), FOREIGN_TENANT, this.rng.uuid(), '', 'contoso.onmicrosoft.com']);
    return { user, tenant };
  }

  requestKey(): unknown {
    const r = this.rng;
    const key = this.realKey;
    if (r.chance(0.3)) return key;
    return r.pick<() => unknown>([
      () => key,
      () => key.toUpperCase(),
      () => `${key} `,
      () => `${key}x`,
      () => key.replace(SUBSCRIPTION_ID, this.rng.uuid()),
      () => key.replace('azure:', 'm365:'),
      () => `azure:${SUBSCRIPTION_ID}:../../${this.rng.uuid()}`,
      () => encodeURIComponent(key),
      () => key.slice(0, -1),
      () => key.repeat(3),
      () => 'x'.repeat(301),
      () => [key],
      () => ({ toString: key }),
      () => 42,
      () => null,
      () => this.string(),
    ])();
  }

  activity(): Record<string, any> {
    const r = this.rng;
    const { user, tenant } = this.actor();
    // A serviceUrl nobody answers only makes botbuilder retry for seconds; these fail at once.
    const serviceUrl = r.chance(0.95) ? this.serviceUrl : r.pick(['not a url', '', `${this.serviceUrl}/../..`, 'javascript:alert(1)', 'file:///etc/passwd']);
    switch (r.int(7)) {
      case 0: return message(serviceUrl, tenant, user, r.chance(0.5) ? r.pick(NASTY) : this.string());
      case 1:
      case 2:
      case 6: {
        const verb = r.chance(0.6) ? r.pick(VERBS) : r.chance(0.8) ? r.pick(TAMPERED_VERBS) : this.value();
        const data = r.chance(0.8)
          ? { requestKey: this.requestKey(), ...(r.chance(0.6) ? { comment: r.chance(0.7) ? this.string().slice(0, r.chance(0.8) ? 1000 : 2000) : this.value() } : {}), ...(r.chance(0.2) ? { confirmationId: r.chance(0.5) ? this.rng.uuid() : this.value() } : {}) }
          : this.value();
        return cardAction(serviceUrl, tenant, user, verb as string, data, r.chance(0.5) ? this.string().slice(0, 100) : undefined);
      }
      case 3: return personalActivity(serviceUrl, tenant, user, { type: 'invoke', name: r.pick(INVOKE_NAMES), value: this.value() });
      case 4: return r.chance(0.5) ? installUpdate(serviceUrl, tenant, user) : personalActivity(serviceUrl, tenant, user, { type: r.pick(['installationUpdate', 'conversationUpdate']), action: this.value(), membersAdded: this.value(), membersRemoved: this.value() });
      default: return personalActivity(serviceUrl, tenant, user, { type: r.chance(0.5) ? r.pick(TYPES) : this.value(), text: this.value(), value: this.value() });
    }
  }

  mutate(activity: Record<string, any>): void {
    const r = this.rng;
    for (let n = r.int(4); n > 0; n--) {
      const path = r.pick(FIELDS).split('.');
      let target: any = activity;
      for (const part of path.slice(0, -1)) {
        if (typeof target?.[part] !== 'object' || target[part] === null) target[part] = {};
        target = target[part];
      }
      if (r.chance(0.3)) delete target[path.at(-1)!];
      else target[path.at(-1)!] = this.value();
    }
  }

  /** Puts `__proto__`, `constructor.prototype` and their escaped spellings into the JSON text itself. */
  pollute(json: string): string {
    const r = this.rng;
    const payload = JSON.stringify({ polluted: MARK, isAdmin: true, roles: ['Global Administrator'], verb: 'lockbox.approve' });
    const key = r.pick(['"__proto__"', '"\\u005f\\u005fproto\\u005f\\u005f"', '"constructor"', '"prototype"']);
    const value = key === '"constructor"' ? `{"prototype":${payload}}` : payload;
    // After any `{` that opens an object (not one inside a string).
    const opens: number[] = [];
    let inString = false;
    for (const m of json.matchAll(/\\.|"|\{/g)) {
      if (m[0] === '"') inString = !inString;
      else if (m[0] === '{' && !inString) opens.push(m.index!);
    }
    if (!opens.length) return json;
    const at = r.pick(opens) + 1;
    const empty = json[at] === '}';
    return `${json.slice(0, at)}${key}:${value}${empty ? '' : ','}${json.slice(at)}`;
  }

  case(index: number): FuzzCase {
    const r = this.rng;
    if (r.chance(0.08)) {
      const raw = r.pick<() => string>([
        () => '{"type":"message","text":',
        () => '{not json',
        () => this.string(),
        () => 'null',
        () => '[]',
        () => '42',
        () => '"just a string"',
        () => '{"type":"message"}'.repeat(3),
        () => JSON.stringify(this.nested()),
        () => '\u0000\u0001\u0002',
        () => '',
      ])();
      const contentType = r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/xml', '']);
      return { index, what: `raw body (${contentType || 'no content type'})`, body: raw, contentType, cardAction: false };
    }
    // The activity builders share the bot's account object; mutations must not reach it.
    const activity = this.activity();
    activity.id = this.rng.uuid();
    activity.recipient = { ...activity.recipient };
    if (Array.isArray(activity.membersAdded)) activity.membersAdded = activity.membersAdded.map((m: unknown) => (typeof m === 'object' ? { ...m } : m));
    if (r.chance(0.35)) this.mutate(activity);
    if (this.couldDecide(activity)) activity.from = { id: `29:${USERS.adele.aadObjectId}`, aadObjectId: USERS.adele.aadObjectId };
    let body = JSON.stringify(activity);
    if (r.chance(0.15)) body = this.pollute(body);
    const a = activity;
    // teams-ai refuses a turn without these (TurnState storage keys), and the adapter then answers 501;
    // the server refuses with 400 an activity without an http(s) serviceUrl to answer to.
    const addressed = Boolean(a.channelId && a.recipient?.id && a.conversation?.id && a.from?.id) && typeof a.serviceUrl === 'string' && /^https?:\/\/\S+$/i.test(a.serviceUrl);
    const cardActionCase = addressed && a.type === 'invoke' && a.name === 'adaptiveCard/action' && typeof a.value === 'object' && a.value !== null && !Array.isArray(a.value)
      && a.value.action?.type === 'Action.Execute' && VERBS.includes(a.value.action.verb);
    return { index, what: `${String(a.type).slice(0, 30)} ${String(a.name ?? '').slice(0, 30)} ${String(a.value?.action?.verb ?? '').slice(0, 30)}`.trim(), body, contentType: 'application/json', cardAction: cardActionCase };
  }

  /** Whether an approver of our tenant is clicking Approve/Reject on the real request: the one thing the fuzzer must not do. */
  private couldDecide(a: Record<string, any>): boolean {
    const verb = a?.value?.action?.verb;
    const key = a?.value?.action?.data?.requestKey;
    const who = String(a?.from?.aadObjectId ?? '').toLowerCase();
    return typeof verb === 'string' && /approve|reject/i.test(verb)
      && typeof key === 'string' && key.trim().toLowerCase() === this.realKey.toLowerCase()
      && [USERS.alex.aadObjectId, USERS.isaiah.aadObjectId].includes(who);
  }
}

/** A stack frame, a source path or a module path: what an answer must never show. */
const LEAK = /\n\s+at \S|\bat [^\s(]+ \([^)]*:\d+:\d+\)|node_modules|\/work\/|\.tsx?:\d+|\.js:\d+|\/home\/|\/root\//;

function gcAndMeasure(): { heapUsed: number; rss: number } {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

describe('hostile input at /api/messages', function () {
  this.timeout(120_000);
  let guard: ReturnType<typeof refuseConnectionsOffThisMachine>;
  let h: Harness;
  let open: Harness | undefined;

  before(() => {
    guard = refuseConnectionsOffThisMachine();
  });
  after(() => guard.restore());
  afterEach(async () => {
    await open?.close();
    open = undefined;
    assert.deepEqual(guard.blocked, [], 'nothing tried to leave the machine');
    guard.blocked.splice(0);
  });

  const send = async (body: string, contentType = 'application/json') => {
    const response = await fetch(`${h.bot.url}/api/messages`, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  };
  const wholeAudit = async () => {
    const store = SqliteStore.open(path.join(h.dataDir, 'lockbox.sqlite'));
    try {
      const entries: AuditEntry[] = [];
      for await (const entry of store.exportAudit()) entries.push(entry);
      return entries;
    } finally {
      await store.close();
    }
  };
  const setUp = async () => {
    h = open = await startHarness();
    for (const user of [USERS.alex, USERS.isaiah]) assert.equal((await send(JSON.stringify(installUpdate(h.connector.url, TENANT_ID, user)))).status, 200);
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, justification: 'Investigating a failed VM start for case 123' });
    await h.bot.watcher.runOnce();
    return { requestId: record.requestId, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };

  for (const seed of seeds()) {
    it(`never crashes, leaks, decides or pollutes under ${CASES} malformed activities (seed ${seed})`, async () => {
      process.stdout.write(`      fuzz seed ${seed} (replay: FUZZ_SEED=${seed} npx mocha test/security/fuzz.test.ts)\n`);
      const { requestId, key } = await setUp();
      const generator = new Generator(new Rng(seed), h.connector.url, key);
      const prototypeBefore = [Object.getOwnPropertyNames(Object.prototype), Object.getOwnPropertyNames(Array.prototype)];
      const statuses = new Map<number, number>();
      let cardActions = 0;
      let largestReply = 0;
      let memoryBefore: { heapUsed: number; rss: number } | undefined;
      const quiet = [sinon.stub(console, 'error'), sinon.stub(console, 'warn')];
      const started = Date.now();
      try {
        for (let start = 0; start < CASES; start += BATCH) {
          const cases = Array.from({ length: Math.min(BATCH, CASES - start) }, (_, i) => generator.case(start + i));
          const answers = await Promise.all(cases.map((c) => send(c.body, c.contentType)));
          answers.forEach((answer, i) => {
            const c = cases[i]!;
            const where = `seed ${seed}, case ${c.index} (${c.what}): ${answer.status} ${answer.text.slice(0, 300)}`;
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            assert.doesNotMatch(answer.text, LEAK, `no stack trace or internal path; ${where}`);
            assert.ok(answer.text.length < 64 * KB, `a short answer; ${where}`);
            if (answer.text) assert.doesNotThrow(() => JSON.parse(answer.text), `a JSON answer; ${where}`);
            if (c.cardAction) {
              cardActions++;
              const body = JSON.parse(answer.text || 'null');
              assert.equal(answer.status, 200, `a card action gets a card; ${where}`);
              assert.equal(body?.type, ADAPTIVE, `a card action gets a card; ${where}`);
              assert.equal(body?.value?.type, 'AdaptiveCard', where);
            } else if (answer.status < 300) {
              assert.equal(answer.status, 200, where);
              const body = answer.text ? JSON.parse(answer.text) : undefined;
              assert.ok(body === undefined || [ADAPTIVE, 'application/vnd.microsoft.activity.message', 'application/vnd.microsoft.error'].includes(body.type) || 'statusCode' in body, `an empty answer or an invoke response; ${where}`);
            } else {
              assert.ok(answer.status >= 400 && answer.status < 600, where);
            }
          });
          const health = await fetch(`${h.bot.url}/healthz`);
          assert.equal(health.status, 200, `still healthy after case ${start + cases.length - 1} (seed ${seed})`);
          await health.text();
          // The fake connector keeps every reply; the bot's memory is what is measured, so the test's copies go.
          for (const call of h.connector.calls.splice(0)) largestReply = Math.max(largestReply, JSON.stringify(call.body).length);
          if (start === 0) memoryBefore = gcAndMeasure();
        }
      } finally {
        quiet.forEach((stub) => stub.restore());
      }
      const memoryAfter = gcAndMeasure();
      const mb = (n: number) => Math.round(n / 2 ** 20);
      process.stdout.write(`      ${CASES} cases in ${Date.now() - started} ms; answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; heap +${mb(memoryAfter.heapUsed - memoryBefore!.heapUsed)} MB, rss +${mb(memoryAfter.rss - memoryBefore!.rss)} MB; largest reply ${Math.round(largestReply / KB)} KB; ${guard.blocked.length} replies aimed off the machine (blocked)\n`);

      // The live heap after a full GC is what a leak grows; rss also counts this test's own 256 KB strings and the
      // allocator keeping freed pages, so it only has to stay far from running away.
      assert.ok(memoryAfter.heapUsed - memoryBefore!.heapUsed < 50 * 2 ** 20, `heap grew by ${mb(memoryAfter.heapUsed - memoryBefore!.heapUsed)} MB`);
      assert.ok(memoryAfter.rss - memoryBefore!.rss < 256 * 2 ** 20, `rss grew by ${mb(memoryAfter.rss - memoryBefore!.rss)} MB`);
      assert.deepEqual([Object.getOwnPropertyNames(Object.prototype), Object.getOwnPropertyNames(Array.prototype)], prototypeBefore, 'no prototype gained a property');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);

      const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
      assert.equal(upstream.request.properties.status, 'Pending');
      assert.deepEqual(upstream.decisions, []);
      // h.audit() reads the newest 1000; a fuzz run writes more refusals than that.
      const audit = await wholeAudit();
      process.stdout.write(`      ${cardActions} well-addressed card actions; audit trail: ${JSON.stringify(Object.fromEntries([...new Set(audit.map((a) => a.kind))].map((k) => [k, audit.filter((a) => a.kind === k).length])))}\n`);
      const kinds = new Set(audit.map((a) => a.kind));
      assert.deepEqual([...kinds].filter((k) => !['request.detected', 'decision.refused', 'admin.refused'].includes(k)), [], 'the audit trail holds only refusals');
      for (const entry of audit) {
        assert.ok(!Number.isNaN(Date.parse(entry.at)) && typeof entry.detail === 'object' && entry.detail !== null, `a well-formed audit entry: ${JSON.stringify(entry).slice(0, 300)}`);
      }
      assert.equal(audit.filter((a) => a.kind === 'request.detected').length, 1);
    });
  }

  describe('text that looks like markup or a shell command', () => {
    const COMMENT = '**bold** <script>alert(1)</script> [x](https://evil.example) {{DATE(2020-01-01T00:00:00Z, SHORT)}} ${requestKey}\n# heading\n- item';

    /** What Teams shows for a TextBlock: backslash escapes and the zero-width spaces that break up markup removed. */
    const shown = (text: string) => text.replace(/\\(.)/g, '$1').replace(/\u200B/g, '');
    const textBlocks = (card: unknown): string[] => {
      const found: string[] = [];
      JSON.stringify(card, (k, v) => (k === 'text' || k === 'value') && typeof v === 'string' ? (found.push(v), v) : v);
      return found;
    };

    it('escapes markdown and HTML in a comment on the card, and keeps it verbatim in the audit trail and upstream', async () => {
      const { requestId, key } = await setUp();
      const answer = await send(JSON.stringify(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: COMMENT })));
      assert.equal(answer.status, 200);
      const decided = JSON.parse(answer.text).value;
      const isaiahCard = h.connector.postedCards(`a:personal-${USERS.isaiah.aadObjectId}`)[0]!.body.id as string;
      const deadline = Date.now() + 10_000;
      while (!h.connector.updates(isaiahCard).length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      const updated = cardOf(h.connector.updates(isaiahCard).at(-1)!.body);

      for (const card of [decided, updated]) {
        const block = textBlocks(card).find((t) => t.includes('bold'));
        assert.ok(block, 'the comment is on the card');
        assert.doesNotMatch(block, /(?<!\\)\*\*bold/, 'no bold');
        assert.doesNotMatch(block, /(?<!\\)<script/, 'no live HTML');
        assert.doesNotMatch(block, /(?<!\\)\[x(?<!\\)\]\(/, 'no live link');
        assert.doesNotMatch(block, /\{\{DATE/, 'no date function');
        assert.doesNotMatch(block, /^#|\n#/, 'no heading');
        assert.ok(shown(block).replace(/\n\n/g, '\n').includes(COMMENT), `it reads as written: ${block}`);
      }
      const recorded = (await h.audit(key)).find((a) => a.kind === 'decision.recorded')!;
      assert.equal(recorded.detail.comment, COMMENT, 'stored verbatim');
      assert.equal((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).decisions[0].reason, COMMENT, 'sent upstream verbatim');
    });

    for (const text of ['/lockbox enable; rm -rf /', '/lockbox enable azure; rm -rf /', '/lockbox disable && curl http://127.0.0.1:9', '/lockbox history 10; DROP TABLE audit', "/lockbox status' OR '1'='1", '/lockbox disable `shutdown`', '/lockbox $(disable)']) {
      it(`treats "${text}" as text: the help card, and nothing switched`, async () => {
        h = open = await startHarness();
        await send(JSON.stringify(installUpdate(h.connector.url, TENANT_ID, USERS.megan)));
        h.connector.calls.splice(0);
        // Installs kick a poll; what matters here is anything else: a role check, a switch.
        const asked = async () => ((await h.admin('/_simulator/calls')) as { method: string; path: string; cmdlet?: string }[])
          .filter((c) => !/CustomerLockbox\/requests$/.test(c.path) && !/^Get-/.test(c.cmdlet ?? ''));
        const askedBefore = await asked();

        const answer = await send(JSON.stringify(message(h.connector.url, TENANT_ID, USERS.megan, text)));

        assert.equal(answer.status, 200);
        const replies = h.connector.calls.filter((c) => c.method === 'POST');
        assert.equal(replies.length, 1, 'one reply');
        const blocks = textBlocks(cardOf(replies[0]!.body));
        assert.ok(blocks.some((t) => /is not a command|takes/.test(t) && shown(t).includes(text.replace(/^\/lockbox\s+/, ''))), `the help card quotes the text: ${blocks.join(' | ')}`);
        assert.equal(JSON.stringify(replies[0]!.body).includes('lockbox.switch.confirm'), false, 'no confirmation card');
        assert.deepEqual(await asked(), askedBefore, 'nothing asked of Microsoft, not even a role check');
        assert.deepEqual((await h.audit()).filter((a) => a.kind.startsWith('admin.')), []);
      });
    }
  });

  describe('bodies that are not JSON', () => {
    const uploads = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('upload_'));

    // TODO(#10): src/server.ts parses bodies with restify's bodyParser, which saves multipart file parts to the
    // temp dir (upload_*) before the adapter checks any token, and never removes them; jsonBodyParser would not.
    it('writes nothing to disk for a multipart upload, and refuses forms', async () => {
      h = open = await startHarness();
      const before = new Set(uploads());
      const boundary = 'fuzz-boundary';
      const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${'A'.repeat(64 * KB)}\r\n--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nmessage\r\n--${boundary}--\r\n`;
      const answer = await send(multipart, `multipart/form-data; boundary=${boundary}`);
      const added = uploads().filter((name) => !before.has(name));
      for (const name of added) fs.rmSync(path.join(os.tmpdir(), name), { force: true });
      assert.deepEqual(added, [], 'no file written');
      assert.ok(answer.status >= 400 && answer.status < 500, `multipart: ${answer.status}`);
      const form = await send(`type=message&text=hi&serviceUrl=${encodeURIComponent(h.connector.url)}&channelId=msteams`, 'application/x-www-form-urlencoded');
      assert.ok(form.status >= 400 && form.status < 500, `a form: ${form.status}`);
    });
  });
});
