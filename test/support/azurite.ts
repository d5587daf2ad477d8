import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

/** Azurite's well-known development account, the same on every machine (it is not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const MAIN = require.resolve('azurite/dist/src/table/main.js');

export interface RunningAzurite {
  endpoint: string;
  connectionString: string;
  /** Freezes the Table service (SIGSTOP): connections stay open, nothing answers, until resume(). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}


/** Resolves once Azurite says it listens; rejects if it exits first (e.g. the port was taken meanwhile). */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 15 s: ${out}`)), 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      if (/successfully started/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code} before it started: ${out}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Azurite's Table service from node_modules on a free loopback port, in memory, run from a temp dir so
 * nothing lands in the repository. Azurite prints the port it was given rather than the one it got, so the port is picked here.
 */
export async function startAzurite(): Promise<RunningAzurite> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-azurite-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [
      MAIN, '--tableHost', '127.0.0.1', '--tablePort', String(port),
      '--inMemoryPersistence', '--disableTelemetry', '--silent', '--skipApiVersionCheck',
    ], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await started(child);
    } catch (error) {
      await stop(child);
      if (attempt < 3) continue;
      fs.rmSync(workspace, { recursive: true, force: true });
      throw error;
    }
    // If the test process ends without stopping it (a failed hook, mocha --exit), Azurite goes too.
    const orphanGuard = () => {
      child.kill('SIGKILL');
      fs.rmSync(workspace, { recursive: true, force: true });
    };
    process.once('exit', orphanGuard);
    const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
    return {
      endpoint,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=${endpoint};`,
      pause: () => void child.kill('SIGSTOP'),
      resume: () => void child.kill('SIGCONT'),
      async stop() {
        child.kill('SIGCONT');
        process.off('exit', orphanGuard);
        await stop(child);
        fs.rmSync(workspace, { recursive: true, force: true });
      },
    };
  }
}
