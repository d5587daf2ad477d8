import assert from 'node:assert/strict';
import path from 'node:path';
import type { AuditEntry, CardCopy } from '../../src/domain/ports';
import { TableStore } from '../../src/store/table';
import { createTableClient, DEFAULT_TABLE } from '../../src/store/table-client';
import { cardAction, installUpdate } from '../support/activities';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { legacySqlite, legacyTable } from '../support/legacy-keys';

interface Backend {
  env(): Record<string, string>;
  /** Rewrites the stopped bot's store as a build that kept keys as Microsoft spelt them had written it. */
  makeLegacy(h: Harness, key: string, legacyKey: string): Promise<void>;
  audit(h: Harness): Promise<AuditEntry[]>;
  cards(h: Harness, key: string): Promise<CardCopy[]>;
}

/**
 * Upgrading from a build that stored a request under the key's letter case as listed: the upgraded bot
 * carries on with the request it had, in both stores, rather than detect it again.
 */
function upgradeScenario(name: string, backend: () => Backend) {
  describe(`upgrading a ${name} store written before request keys were lower case, over HTTP`, function () {
    this.timeout(30_000);
    let h: Harness;
    const alexChat = `a:personal-${USERS.alex.aadObjectId}`;
    beforeEach(async () => {
      h = await startHarness({ env: backend().env() });
      await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    });
    afterEach(() => h.close());

    it('keeps the stored request: no second card or detection, and a click on the old card decides it', async () => {
      const requestId = 'ABCDEF01-2345-4678-89AB-CDEF01234567';
      h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, requestId });
      await h.bot.watcher.runOnce();
      assert.equal(h.connector.postedCards(alexChat).length, 1);
      const key = `azure:${SUBSCRIPTION_ID}:${requestId}`.toLowerCase();
      const legacyKey = `azure:${SUBSCRIPTION_ID}:${requestId}`;
      assert.notEqual(key, legacyKey);
      const [card] = (await backend().cards(h, key)).filter((c) => c.userId === USERS.alex.aadObjectId);
      assert.ok(card?.activityId);

      await h.restartBot(() => backend().makeLegacy(h, key, legacyKey));
      await h.bot.watcher.runOnce();
      assert.equal(h.connector.postedCards(alexChat).length, 1, 'no second card');
      const detected = (await backend().audit(h)).filter((e) => e.kind === 'request.detected');
      assert.equal(detected.length, 1, 'detected once');
      const copy = (await backend().cards(h, key)).find((c) => c.userId === USERS.alex.aadObjectId);
      assert.equal(copy?.activityId, card.activityId, 'the card copy follows the request');

      const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: legacyKey }, card.activityId));
      assert.match(JSON.stringify(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
      assert.equal((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).request.properties.status, 'Approved');
      await h.bot.watcher.runOnce();
      assert.equal(h.connector.postedCards(alexChat).length, 1, 'still no second card');
      const audit = await backend().audit(h);
      assert.equal(audit.filter((e) => e.kind === 'request.detected').length, 1);
      assert.equal(audit.filter((e) => e.kind === 'decision.recorded').length, 1);
    });
  });
}

upgradeScenario('SQLite', () => ({
  env: () => ({}),
  makeLegacy: async (h, key, legacyKey) => legacySqlite(path.join(h.dataDir, 'lockbox.sqlite'), key, legacyKey),
  audit: (h) => h.audit(),
  cards: (h, key) => h.cards(key),
}));

describe('with Azurite', function () {
  this.timeout(30_000);
  let azurite: RunningAzurite;
  before(async () => {
    azurite = await startAzurite();
  });
  after(() => azurite?.stop());
  const client = () => createTableClient({ connectionString: azurite.connectionString }, DEFAULT_TABLE);
  const store = () => TableStore.open(client());

  upgradeScenario('Table', () => ({
    env: () => ({ STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: azurite.connectionString }),
    makeLegacy: (_h, key, legacyKey) => legacyTable(client(), key, legacyKey),
    audit: async () => (await store()).listAudit({ limit: 1000 }),
    cards: async (_h, key) => (await store()).listCards(key),
  }));
});
