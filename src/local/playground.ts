import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../domain/ports';

/**
 * Starts the Microsoft 365 Agents Playground (a devDependency) as the local Teams client.
 * Its users come from .m365agentsplayground.yml in the project root, matching the simulated tenant.
 */
export function startPlayground(botUrl: string, port: number, dataDir: string, logger: Logger): ChildProcess | undefined {
  let cli: string;
  try {
    cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    logger.warn('PLAYGROUND is on but @microsoft/m365agentsplayground is not installed; run npm install, or set PLAYGROUND=off');
    return undefined;
  }
  const logFile = path.join(dataDir, 'playground.log');
  const child = spawn(process.execPath, [cli, '-e', `${botUrl}/api/messages`, '-c', 'msteams', '--dt', '-p', String(port)], {
    cwd: path.resolve(__dirname, '../..'),
    // Without this variable it tries to open a browser and exits silently where there is none.
    env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', M365_AGENTS_PLAYGROUND_LOGFILE: logFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => logger.debug('playground', { output: chunk.toString().trim() }));
  child.stderr?.on('data', (chunk: Buffer) => logger.debug('playground', { output: chunk.toString().trim() }));
  child.on('exit', (code) => {
    if (code) logger.warn(`The Agents Playground stopped; its log says why: ${logFile}`, { code });
  });
  return child;
}
