import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');

/** Runs the program as `npm start` does (tsx src/index.ts), with the given settings. */
function startProgram(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const output = () => ({ stdout, stderr });
  return { child, exited, output };
}


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
