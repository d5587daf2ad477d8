import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SqliteStore } from '../../src/store/sqlite';

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

  it('says where it looked when there is no audit trail', async () => {
    const error = await run(process.execPath, ['-r', 'tsx/cjs', 'src/tools/audit-export.ts', '--data-dir', path.join(dataDir, 'none')], { cwd: ROOT }).catch((e) => e);
    assert.equal(error.code, 2);
    assert.match(error.stderr, /No audit trail at .*lockbox\.sqlite/);
  });
});
