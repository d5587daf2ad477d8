import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { programUrls, startProgram, warnings } from '../support/program';
import { waitFor } from '../support/wait';

describe('the program as npm start runs it', function () {
  // A cold start compiles TypeScript on the fly; on a busy 2-core machine that takes a while.
  this.timeout(90_000);
  let dataDir: string;
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-start-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts the bot and the embedded simulated tenant, says where they are, serves health, and stops cleanly', async () => {
    const program = startProgram({ PORT: '0', SIMULATOR_PORT: '0', PLAYGROUND: 'off', DATA_DIR: dataDir });
    try {
      const url = (await programUrls(program)).bot;
      assert.match(program.output().stdout, /Simulated tenant:\s+http:\/\/127\.0\.0\.1:\d+/);
      assert.match(program.output().stdout, /npm run simulate:request/);
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.ok(fs.existsSync(path.join(dataDir, 'lockbox.sqlite')), 'state lives in a SQLite file under DATA_DIR');
      assert.ok(fs.existsSync(path.join(dataDir, 'simulated-tenant.json')), 'and so does the simulated tenant');
    } finally {
      program.child.kill('SIGTERM');
    }
    assert.equal(await program.exited, 0);
  });

  it('says new requests come only on a first start, and on a restart that the saved tenant continues', async () => {
    const first = startProgram({ PORT: '0', SIMULATOR_PORT: '0', PLAYGROUND: 'off', DATA_DIR: dataDir });
    try {
      await programUrls(first);
      assert.match(first.output().stdout, /Simulated tenant:.*the first lockbox requests appear a few seconds after start/);
    } finally {
      first.child.kill('SIGTERM');
    }
    assert.equal(await first.exited, 0);

    const again = startProgram({ PORT: '0', SIMULATOR_PORT: '0', PLAYGROUND: 'off', DATA_DIR: dataDir });
    try {
      await programUrls(again);
      const stdout = again.output().stdout;
      assert.match(stdout, /Simulated tenant:.*continuing from .*simulated-tenant\.json: no new request; \/lockbox pending shows those waiting/);
      assert.doesNotMatch(stdout, /requests appear a few seconds after start/);
    } finally {
      again.child.kill('SIGTERM');
    }
    assert.equal(await again.exited, 0);
  });

  it('answers the Playground\'s HEAD probe of /api/messages and warns about nothing on a normal local start', async () => {
    const program = startProgram({ PORT: '0', SIMULATOR_PORT: '0', PLAYGROUND: 'off', DATA_DIR: dataDir });
    try {
      const { bot } = await programUrls(program);
      const probe = await fetch(`${bot}/api/messages`, { method: 'HEAD' });
      assert.equal(probe.status, 200);
      await waitFor(() => /simulator: Microsoft 365 lockbox request created/.test(program.output().stdout), 'the first requests', 30_000);
      assert.deepEqual(warnings(program), []);
      assert.doesNotMatch(program.output().stdout, /TEAMS_APP_ID/, 'nothing to install in local mode, so nothing to say about it');
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
