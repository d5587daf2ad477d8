import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuthenticationError } from 'botframework-connector';
import sinon from 'sinon';
import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import { silentLogger } from '../../src/runtime/logger';
import { createAdapter, type LockboxAdapter } from '../../src/teams/bot';
import { CLIENT_RETRY_POLICY, MAX_REUSED_CLIENTS } from '../../src/teams/reused-clients';
import { message, type TeamsUser } from '../support/activities';
import { startOpenIdServer, type TokenFlaw } from '../support/openid';

const USER: TeamsUser = { aadObjectId: '00000000-0000-4000-8000-0000000000aa', name: 'Test User' };

type Pipelined = { client: { pipeline: { getOrderedPolicies(): { name: string }[]; removePolicy(policy: { name: string }): unknown } } };

describe("a turn's connector and user-token clients", () => {
  let adapter: LockboxAdapter;
  beforeEach(() => {
    adapter = createAdapter({ id: '', password: '', tenantId: '', type: '' }, silentLogger);
  });

  /** Runs one incoming message turn from serviceUrl and answers the clients the turn was given. */
  async function incoming(serviceUrl: string) {
    let seen: { connector: unknown; userTokens: unknown } | undefined;
    await adapter.processIncoming('', message(serviceUrl, 'tenant-1', USER, 'hello') as unknown as Activity, async (context: TurnContext) => {
      seen = { connector: context.turnState.get(adapter.ConnectorClientKey), userTokens: context.turnState.get(adapter.UserTokenClientKey) };
    });
    assert.ok(seen?.connector && seen.userTokens, 'the turn ran with both clients');
    return seen;
  }

  async function proactive(serviceUrl: string) {
    let connector: unknown;
    const reference: Partial<ConversationReference> = { serviceUrl, channelId: 'msteams', conversation: { id: 'a:chat' } as ConversationReference['conversation'] };
    await adapter.continueConversationAsync('', reference, async (context) => {
      connector = context.turnState.get(adapter.ConnectorClientKey);
    });
    return connector as Pipelined;
  }

  it('reuses the connector client for incoming turns from the same service URL, and the user-token client', async () => {
    const first = await incoming('http://127.0.0.1:9/amer/');
    const second = await incoming('http://127.0.0.1:9/amer/');
    assert.equal(second.connector, first.connector);
    assert.equal(second.userTokens, first.userTokens);
  });

  it('gives a turn from another service URL a client of its own', async () => {
    const amer = await incoming('http://127.0.0.1:9/amer/');
    const emea = await incoming('http://127.0.0.1:9/emea/');
    assert.notEqual(emea.connector, amer.connector);
    assert.equal((emea.connector as { baseUri?: string }).baseUri, 'http://127.0.0.1:9/emea/');
  });

  it('keeps a bounded number of connector clients, dropping the least recently used', async () => {
    const first = await incoming('http://127.0.0.1:9/0/');
    for (let i = 1; i <= MAX_REUSED_CLIENTS; i++) await incoming(`http://127.0.0.1:9/${i}/`);
    const again = await incoming('http://127.0.0.1:9/0/');
    assert.notEqual(again.connector, first.connector, 'the oldest was dropped once more service URLs than the bound were seen');
    const recent = await incoming(`http://127.0.0.1:9/${MAX_REUSED_CLIENTS}/`);
    assert.equal((await incoming(`http://127.0.0.1:9/${MAX_REUSED_CLIENTS}/`)).connector, recent.connector);
  });

  it('keeps proactive clients apart from incoming ones, without the retry policy the messenger does not want', async () => {
    const url = 'http://127.0.0.1:9/amer/';
    const sending = await proactive(url);
    const retries = (client: Pipelined) => client.client.pipeline.getOrderedPolicies().some((p) => p.name === CLIENT_RETRY_POLICY);
    assert.equal(retries(sending), false, 'a proactive client never retries on its own');
    assert.equal(await proactive(url), sending, 'the next proactive turn reuses it');
    assert.notEqual(await proactive('http://127.0.0.1:9/emea/'), sending);
    const answering = (await incoming(url)).connector as Pipelined;
    assert.notEqual(answering, sending);
    assert.equal(retries(answering), true, 'incoming turns keep the retry policy');
  });

  describe('with an app id', () => {
    it('still verifies the token of every turn: a reused client never lets a bad token through', async () => {
      const appId = randomUUID();
      const openid = await startOpenIdServer({ appId, password: 'secret' });
      const quiet = sinon.stub(console, 'error'); // botbuilder prints every refused token
      try {
        adapter = createAdapter({ id: appId, password: 'secret', tenantId: '', type: 'MultiTenant', openIdMetadataUrl: openid.metadataUrl, tokenIssuer: openid.issuer, loginUrl: openid.loginUrl }, silentLogger);
        const serviceUrl = 'http://127.0.0.1:9/amer/';
        const turn = async (flaw: TokenFlaw) => {
          let connector: unknown;
          const activity = message(serviceUrl, 'tenant-1', USER, 'hello') as unknown as Activity;
          await adapter.processIncoming(openid.authorization(serviceUrl, flaw), activity, async (context) => void (connector = context.turnState.get(adapter.ConnectorClientKey)));
          return connector;
        };
        const first = await turn('valid');
        assert.ok(first);
        for (const flaw of ['wrong-audience', 'expired', 'forged-signature', 'other-service-url'] as const) {
          await assert.rejects(turn(flaw), AuthenticationError, flaw);
        }
        assert.equal(await turn('valid'), first, 'a valid turn gets the kept client');
      } finally {
        quiet.restore();
        await openid.close();
      }
    });
  });
});
