import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import sinon from 'sinon';
import { silentLogger } from '../../../src/runtime/logger';
import { SqliteStore } from '../../../src/store/sqlite';
import type { TeamsDeps } from '../../../src/teams/deps';
import { saveConversation } from '../../../src/teams/handlers/save-conversation';
import { message, type TeamsUser } from '../../support/activities';
import { FixedClock } from '../../support/fakes';

const TENANT = '00000000-0000-4000-8000-0000000000f1';
const USER: TeamsUser = { aadObjectId: '00000000-0000-4000-8000-0000000000c1', name: 'Chat User' };

describe('remembering personal chats on every turn', () => {
  let dir: string;
  let store: SqliteStore;
  let other: SqliteStore;
  let kicks: number;
  let before: (context: TurnContext) => Promise<boolean>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-save-'));
    store = SqliteStore.open(path.join(dir, 'lockbox.sqlite'));
    other = SqliteStore.open(path.join(dir, 'lockbox.sqlite'));
    kicks = 0;
    const deps = { store, tenantId: TENANT, logger: silentLogger, clock: new FixedClock(), kickWatcher: () => void kicks++ } as unknown as TeamsDeps;
    before = saveConversation(deps);
  });
  afterEach(async () => {
    sinon.restore();
    await store.close();
    await other.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const turn = async (fields: Partial<Activity> = {}, serviceUrl = 'http://127.0.0.1:9/amer/') => {
    const activity = { ...message(serviceUrl, TENANT, USER, 'hi'), ...fields } as unknown as Activity;
    assert.equal(await before(new TurnContext(new TestAdapter(), activity)), true, 'the turn goes on');
  };
  const saved = () => store.getConversation(USER.aadObjectId);

  it('saves a new chat with its reference and asks the watcher for cards', async () => {
    await turn({ locale: 'nl-NL' });
    const chat = await saved();
    assert.equal(chat?.conversationId, `a:personal-${USER.aadObjectId}`);
    assert.equal((chat?.reference as { serviceUrl?: string }).serviceUrl, 'http://127.0.0.1:9/amer/');
    assert.equal(chat?.locale, 'nl-NL');
    assert.equal(kicks, 1);
  });

  it('writes nothing when the stored chat, service URL and locale are the same', async () => {
    await turn({ locale: 'nl-NL' });
    const write = sinon.spy(store, 'saveConversation');
    await turn({ locale: 'nl-NL' });
    await turn({});
    assert.equal(write.callCount, 0);
    assert.equal(kicks, 1);
  });

  it('saves again when the service URL moved, or the locale changed', async () => {
    await turn({ locale: 'nl-NL' });
    await turn({ locale: 'nl-NL' }, 'http://127.0.0.1:9/emea/');
    assert.equal(((await saved())?.reference as { serviceUrl?: string }).serviceUrl, 'http://127.0.0.1:9/emea/');
    await turn({ locale: 'de-DE' }, 'http://127.0.0.1:9/emea/');
    assert.equal((await saved())?.locale, 'de-DE');
  });

  it('compares with what the shared store holds now, not with what this instance saw: a chat another instance changed is saved again', async () => {
    await turn({ locale: 'nl-NL' });
    const chat = (await other.getConversation(USER.aadObjectId))!;
    await other.saveConversation({ ...chat, conversationId: 'a:an-older-chat', reference: { ...(chat.reference as object), serviceUrl: 'http://127.0.0.1:9/old/' } });
    await turn({ locale: 'nl-NL' });
    const now = await saved();
    assert.equal(now?.conversationId, `a:personal-${USER.aadObjectId}`);
    assert.equal((now?.reference as { serviceUrl?: string }).serviceUrl, 'http://127.0.0.1:9/amer/');
  });
});
