import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProgram } from '../support/program';
import { waitFor } from '../support/wait';

describe('the program as npm start runs it', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-start-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts the bot and the embedded simulated tenant, says where they are, serves health, and stops cleanly', async () => {
    const program = startProgram({ PORT: '0', SIMULATOR_PORT: '0', PLAYGROUND: 'off', DATA_DIR: dataDir });
    try {
      const url = await waitFor(() => /Bot endpoint:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(program.output().stdout)?.[1], 'the bot to start');
      assert.match(program.output().stdout, /Simulated tenant:\s+http:\/\/127\.0\.0\.1:\d+/);
      assert.match(program.output().stdout, /npm run simulate:request/);
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.ok(fs.existsSync(path.join(dataDir, 'lockbox.sqlite')), 'state lives in a SQLite file under DATA_DIR');
    } finally {
      program.child.kill('SIGTERM');
    }
    assert.equal(await program.exited, 0);
  });

  it('refuses to start on a bad setting, with one line that names it', async () => {
    const program = startProgram({ PORT: 'eighty', DATA_DIR: dataDir });
    assert.equal(await program.exited, 2);
    const lines = program.output().stderr.trim().split('\n');
    assert.deepEqual(lines, ['Lockbox Bot cannot start. Setting PORT: expected a port number (0-65535), got "eighty".']);
  });
});
