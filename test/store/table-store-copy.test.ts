import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AuditEntry } from '../../src/domain/ports';
import { SqliteStore } from '../../src/store/sqlite';
import { TableStore } from '../../src/store/table';
import { createTableClient, DEFAULT_TABLE } from '../../src/store/table-client';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { makeAudit, makeClaim, makeConversation, makeDecision, makeRequest } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

describe('npm run store:copy -- --from sqlite --to table', function () {
  this.timeout(40_000);
  let azurite: RunningAzurite;
  let dataDir: string;

  before(async () => {
    azurite = await startAzurite();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-copy-'));
  });
  after(async () => {
    await azurite?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const copy = () => run(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/tools/store-copy.ts', '--from', 'sqlite', '--to', 'table'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, AZURE_TABLES_CONNECTION_STRING: azurite.connectionString },
  });

  it('copies every request, chat, card and audit entry once, and a second run finds them all there', async () => {
    const open = makeRequest({ request: { requestId: 'open' }, decision: makeDecision('pending') });
    const closed = makeRequest({ request: { requestId: 'closed', status: 'Revoked' }, decision: makeDecision('submitted') });
    const audit: AuditEntry[] = [
      makeAudit('request.detected', { at: '2025-01-01T10:00:00.000Z', requestKey: open.key }),
      makeAudit('request.detected', { at: '2025-01-01T10:00:00.000Z', requestKey: closed.key }),
      makeAudit('decision.submitted', { at: '2025-01-01T11:00:00.000Z', requestKey: closed.key }),
    ];
    const sqlite = SqliteStore.open(path.join(dataDir, 'lockbox.sqlite'));
    await sqlite.insertRequest(open);
    await sqlite.insertRequest(closed);
    await sqlite.saveConversation(makeConversation('user-a'));
    await sqlite.claimCard(makeClaim(closed.key, 'user-a'));
    await sqlite.completeCard(closed.key, 'user-a', 'activity-1', '2025-01-01T10:01:00.000Z');
    await sqlite.claimCard(makeClaim(open.key, 'user-a'));
    for (const entry of audit) await sqlite.appendAudit(entry);
    await sqlite.close();

    const first = await copy();
    assert.match(first.stdout, /requests\s+2 copied,\s+0 already there/);
    assert.match(first.stdout, /conversations\s+1 copied/);
    assert.match(first.stdout, /cards\s+2 copied/);
    assert.match(first.stdout, /audit\s+3 copied/);
    assert.doesNotMatch(first.stdout + first.stderr, /AccountKey|Eby8/, 'the connection string is not printed');

    const second = await copy();
    for (const what of ['requests', 'conversations', 'cards', 'audit']) assert.match(second.stdout, new RegExp(`${what}\\s+0 copied`));

    const table = await TableStore.open(createTableClient({ connectionString: azurite.connectionString }, DEFAULT_TABLE));
    assert.deepEqual((await table.getRequest(closed.key))?.value, closed);
    assert.deepEqual((await table.listOpenRequests()).map((v) => v.value), [open]);
    assert.deepEqual(await table.getConversation('user-a'), makeConversation('user-a'));
    assert.equal((await table.listCards(closed.key))[0]?.activityId, 'activity-1');
    assert.deepEqual(await table.listCards(open.key), [makeClaim(open.key, 'user-a')]);
    const exported = [];
    for await (const entry of table.exportAudit()) exported.push(entry);
    assert.deepEqual(exported, audit);
    await table.appendAudit(makeAudit('decision.recorded'));
    assert.equal((await table.listAudit({ limit: 1 }))[0]?.kind, 'decision.recorded', 'entries written after the copy are the newest');
  });

  it('copies a store an older build wrote, with keys as Microsoft spelt them, under lower-case keys', async () => {
    const legacyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-copy-legacy-'));
    try {
      const legacy = makeRequest({ key: 'azure:SUB-1:OLD-1', request: { requestId: 'OLD-1', subscriptionId: 'SUB-1', status: 'Revoked' } });
      const sqlite = SqliteStore.open(path.join(legacyDir, 'lockbox.sqlite'));
      await sqlite.insertRequest(legacy);
      await sqlite.claimCard(makeClaim(legacy.key, 'user-a'));
      await sqlite.appendAudit(makeAudit('request.detected', { at: '2025-01-02T10:00:00.000Z', requestKey: legacy.key }));
      await sqlite.close();

      await run(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/tools/store-copy.ts', '--from', 'sqlite', '--to', 'table', '--data-dir', legacyDir], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AZURE_TABLES_CONNECTION_STRING: azurite.connectionString },
      });

      const table = await TableStore.open(createTableClient({ connectionString: azurite.connectionString }, DEFAULT_TABLE));
      const key = legacy.key.toLowerCase();
      assert.equal((await table.getRequest(key))?.value.key, key);
      assert.equal(await table.getRequest(legacy.key), undefined);
      assert.deepEqual((await table.listCards(key)).map((c) => c.requestKey), [key]);
      assert.deepEqual((await table.listAudit({ requestKey: key, limit: 5 })).map((e) => e.kind), ['request.detected']);
    } finally {
      fs.rmSync(legacyDir, { recursive: true, force: true });
    }
  });
});
