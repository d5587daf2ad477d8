import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SqliteStore } from '../../src/store/sqlite';
import { TableStore } from '../../src/store/table';
import { createTableClient } from '../../src/store/table-client';
import { startAzurite, type RunningAzurite } from '../support/azurite';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describe('npm run audit:export', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-audit-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('writes every audit entry as one JSON line, oldest first, comments verbatim', async () => {
    const store = SqliteStore.open(path.join(dataDir, 'lockbox.sqlite'));
    const actor = { aadObjectId: 'a1', tenantId: 't1', name: 'Alex', userPrincipalName: 'alex@contoso.example' };
    await store.appendAudit({ at: '2026-01-01T00:00:00.000Z', kind: 'request.detected', requestKey: 'azure:s:r1', detail: {} });
    await store.appendAudit({ at: '2026-01-01T00:01:00.000Z', kind: 'decision.recorded', requestKey: 'azure:s:r1', actor, detail: { verdict: 'approve', comment: '<b>ok</b> *now*\nline two' } });
    await store.close();

    const { stdout } = await run(process.execPath, ['-r', 'tsx/cjs', 'src/tools/audit-export.ts', '--data-dir', dataDir], { cwd: ROOT });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.kind), ['request.detected', 'decision.recorded']);
    assert.equal(lines[1].actor.userPrincipalName, 'alex@contoso.example');
    assert.equal(lines[1].detail.comment, '<b>ok</b> *now*\nline two');
  });

  async function seed(count: number): Promise<void> {
    const store = SqliteStore.open(path.join(dataDir, 'lockbox.sqlite'));
    for (let i = 0; i < count; i++) {
      await store.appendAudit({ at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), kind: 'request.detected', requestKey: `azure:s:r${i}`, detail: { justification: 'x'.repeat(200) } });
    }
    await store.close();
  }

  it('as npm run -s audit:export writes nothing but JSON lines, so its output can go straight to a file', async () => {
    await seed(3);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { stdout, stderr } = await run(npm, ['run', '-s', 'audit:export', '--', '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: 'false' } });
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
    assert.equal(stderr, '');
  });

  it('ends quietly with exit code 0 when the reader closes the pipe early, as | head -1 does', async () => {
    // Far more than a pipe buffer holds, so the exporter is still writing when the reader goes away.
    await seed(2000);
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', 'src/tools/audit-export.ts', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.doesNotThrow(() => JSON.parse(first.split('\n')[0]!));
    assert.equal(code, 0);
    assert.equal(stderr, '', 'no EPIPE stack trace');
  });

  it('says where it looked when there is no audit trail', async () => {
    const error = await run(process.execPath, ['-r', 'tsx/cjs', 'src/tools/audit-export.ts', '--data-dir', path.join(dataDir, 'none')], { cwd: ROOT }).catch((e) => e);
    assert.equal(error.code, 2);
    assert.match(error.stderr, /No audit trail at .*lockbox\.sqlite/);
  });
});

describe('npm run audit:export with STATE_STORE=table', function () {
  this.timeout(60_000);
  let azurite: RunningAzurite;
  let dataDir: string;
  before(async () => (azurite = await startAzurite()));
  after(() => azurite.stop());
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-audit-table-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('reads the Table store the bot runs on, never a SQLite file left in DATA_DIR', async () => {
    const table = await TableStore.open(createTableClient({ connectionString: azurite.connectionString }));
    await table.appendAudit({ at: '2026-01-01T00:00:00.000Z', kind: 'decision.recorded', requestKey: 'azure:s:in-table', detail: { verdict: 'approve' } });
    const leftover = SqliteStore.open(path.join(dataDir, 'lockbox.sqlite'));
    await leftover.appendAudit({ at: '2025-01-01T00:00:00.000Z', kind: 'request.detected', requestKey: 'azure:s:old-sqlite', detail: {} });
    await leftover.close();

    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: azurite.connectionString };
    const { stdout } = await run(process.execPath, ['-r', 'tsx/cjs', 'src/tools/audit-export.ts'], { cwd: ROOT, env });
    assert.deepEqual(stdout.trim().split('\n').map((l) => JSON.parse(l).requestKey), ['azure:s:in-table']);
  });
});
