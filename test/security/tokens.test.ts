import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import sinon from 'sinon';
import { loadConfig } from '../../src/config';
import { PUBLIC_BOT_FRAMEWORK } from '../../src/teams/bot';
import { SqliteStore } from '../../src/store/sqlite';
import { cardAction, installUpdate, type TeamsUser } from '../support/activities';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { refuseConnectionsOffThisMachine, startOpenIdServer, type OpenIdServer, type TokenFlaw } from '../support/openid';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

describe('Bot Framework tokens, with BOT_ID set', () => {
  let guard: ReturnType<typeof refuseConnectionsOffThisMachine>;
  let openid: OpenIdServer;
  let connector: FakeConnector;
  let h: Harness;
  let appId: string;
  const password = `fake-secret-${randomUUID()}`;

  before(() => {
    guard = refuseConnectionsOffThisMachine();
  });
  after(() => guard.restore());

  beforeEach(async () => {
    // botbuilder caches the bot's token per app id for the whole process: a new id per test keeps them apart.
    appId = randomUUID();
    openid = await startOpenIdServer({ appId, password });
    connector = await startFakeConnector({ requireBearer: true });
    h = await startHarness({
      env: {
        BOT_ID: appId,
        BOT_PASSWORD: password,
        BOT_TYPE: 'MultiTenant',
        BOT_OPENID_METADATA_URL: openid.metadataUrl,
        BOT_TOKEN_ISSUER: openid.issuer,
        BOT_LOGIN_URL: openid.loginUrl,
      },
    });
  });
  afterEach(async () => {
    await h.close();
    await connector.close();
    await openid.close();
    assert.deepEqual(guard.blocked, [], 'nothing tried to leave the machine');
  });

  const send = async (activity: object, authorization?: string) => {
    const response = await fetch(`${h.bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return { status: response.status, text, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
  /** A token flaw from the OpenID server's knobs, or a raw header as written. */
  type Credential = TokenFlaw | { header: string } | undefined;
  const header = (credential: Credential) => (typeof credential === 'object' ? credential.header : credential && openid.authorization(connector.url, credential));
  const install = (user: TeamsUser, credential?: Credential) => send(installUpdate(connector.url, TENANT_ID, user), header(credential));
  const click = (user: TeamsUser, verb: string, data: unknown, credential?: Credential) => send(cardAction(connector.url, TENANT_ID, user, verb, data), header(credential));
  const newRequest = async () => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, justification: 'Investigating a failed VM start for case 123' });
    await h.bot.watcher.runOnce();
    return { requestId: record.requestId, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  const conversations = async () => {
    const store = SqliteStore.open(path.join(h.dataDir, 'lockbox.sqlite'));
    try {
      return await store.listConversations();
    } finally {
      await store.close();
    }
  };
  const simulatorCalls = async () => ((await h.admin('/_simulator/calls')) as { path: string }[]).length;

  const refusals: [string, Credential, number[]][] = [
    ['no Authorization header', undefined, [401]],
    ['a Basic credential', { header: 'Basic Ym90OnBhc3N3b3Jk' }, [401]],
    ['a Bearer that is not a JWT', { header: 'Bearer not-a-jwt' }, [401]],
    ['a token signed with a key the metadata does not publish', 'unknown-key', [401]],
    ['a token for another bot (wrong audience)', 'wrong-audience', [401]],
    ['a token from another issuer', 'wrong-issuer', [401]],
    ['an expired token', 'expired', [401]],
    ['a token signed with a key not endorsed for Teams', 'not-endorsed', [401]],
    ['a token issued for another service URL', 'other-service-url', [401]],
    ['a token whose signature does not match its key', 'forged-signature', [401]],
    ['an unsigned token (alg none)', 'unsigned', [401]],
    ['a token that is not valid yet', 'not-yet-valid', [401]],
  ];
  for (const [what, credential, statuses] of refusals) {
    it(`refuses ${what} with ${statuses.join(' or ')} and processes nothing`, async () => {
      const { key, requestId } = await newRequest();
      const callsBefore = await simulatorCalls();
      const auditBefore = await h.audit();
      const quiet = sinon.stub(console, 'error'); // botbuilder prints every refused token
      let answers;
      try {
        answers = [await install(USERS.alex, credential), await click(USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'forged' }, credential)];
      } finally {
        quiet.restore();
      }

      for (const answer of answers) {
        assert.ok(statuses.includes(answer.status), `${what}: ${answer.status} ${answer.text}`);
        assert.doesNotMatch(answer.text, /\bat .+:\d+:\d+\)?$|node_modules|\/work\//m, 'no stack trace or path in the answer');
      }
      assert.deepEqual(await conversations(), [], 'no conversation saved');
      assert.deepEqual(await h.audit(), auditBefore, 'no audit entry');
      assert.equal(await simulatorCalls(), callsBefore, 'no upstream call, not even a role check');
      assert.deepEqual((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).decisions, []);
      assert.deepEqual([...connector.calls, ...connector.refused], [], 'nothing posted');
      assert.deepEqual(openid.tokenRequests, [], 'no outbound token fetched');
    });
  }

  it('accepts a valid token: an install, then a click, work end to end, and every outbound call carries the bot\'s token', async () => {
    const installed = await install(USERS.alex, 'valid');
    assert.equal(installed.status, 200, installed.text);
    assert.equal((await conversations()).length, 1);
    const welcome = connector.calls.find((c) => c.method === 'POST' && /Lockbox Bot/.test(String(c.body.text)));
    assert.ok(welcome, 'the welcome message reached the connector');

    const { requestId, key } = await newRequest();
    const [card, ...more] = connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`);
    assert.ok(card && more.length === 0, 'one request card, sent proactively');

    const answer = await click(USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'ok for case 123' }, 'valid');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.type, ADAPTIVE);
    assert.match(JSON.stringify(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.request.properties.status, 'Approved');
    assert.equal((await h.audit(key)).filter((a) => a.kind === 'decision.recorded').length, 1);

    assert.deepEqual(connector.refused, [], 'the connector refused nothing');
    assert.ok(connector.calls.length >= 2);
    for (const call of connector.calls) {
      const token = /^Bearer (.+)$/.exec(call.authorization ?? '')?.[1];
      assert.ok(token && openid.issuedTokens.includes(token), `${call.method} ${call.path} carries a token from the login endpoint`);
    }
    assert.ok(openid.tokenRequests.length >= 1);
    for (const request of openid.tokenRequests) {
      assert.deepEqual(request, { path: '/botframework.com/oauth2/v2.0/token', grantType: 'client_credentials', clientId: appId, scope: 'https://api.botframework.com/.default', authenticated: true });
    }
    assert.equal(openid.tokenRequests.length, 1, 'one token, reused for every call');
  });

  it('keeps a known chat as it is when a good signature vouches for another service URL', async () => {
    assert.equal((await install(USERS.alex, 'valid')).status, 200);
    const quiet = sinon.stub(console, 'error');
    try {
      assert.equal((await install(USERS.megan, 'other-service-url')).status, 401);
    } finally {
      quiet.restore();
    }
    assert.deepEqual((await conversations()).map((c) => c.userId), [USERS.alex.aadObjectId]);
  });
});

describe('the Bot Framework endpoint settings', () => {
  it('keeps botbuilder\'s public-cloud values for whatever is not set', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the library's own constants, to catch drift
    const { AuthenticationConstants } = require('botframework-connector');
    for (const [name, value] of Object.entries(PUBLIC_BOT_FRAMEWORK)) {
      if (name === 'CallerId') continue;
      assert.equal(value, AuthenticationConstants[name], name);
    }
  });

  it('reads BOT_OPENID_METADATA_URL, BOT_TOKEN_ISSUER and BOT_LOGIN_URL, and refuses plain http off this machine', () => {
    const bot = loadConfig({ BOT_ID: randomUUID(), BOT_OPENID_METADATA_URL: 'https://login.example.test/v1/.well-known/openidconfiguration', BOT_TOKEN_ISSUER: 'https://api.example.test', BOT_LOGIN_URL: 'http://127.0.0.1:5000/botframework.com/' }).bot;
    assert.equal(bot.openIdMetadataUrl, 'https://login.example.test/v1/.well-known/openidconfiguration');
    assert.equal(bot.tokenIssuer, 'https://api.example.test');
    assert.equal(bot.loginUrl, 'http://127.0.0.1:5000/botframework.com');
    assert.equal('loginUrl' in loadConfig({}).bot, false, 'unset settings stay out of the config');
    for (const name of ['BOT_OPENID_METADATA_URL', 'BOT_LOGIN_URL']) {
      assert.throws(() => loadConfig({ [name]: 'http://keys.example.test/' }), (e: Error) => e.message.startsWith(`Setting ${name}: expected an https URL`));
    }
  });
});
