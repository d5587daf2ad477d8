import path from 'node:path';
import { SIMULATED_TENANT_FILE, startSimulator } from './index';
import type { SimulatorLogger } from './logger';

export const DEFAULT_SIMULATOR_PORT = 3979;

export function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_SIMULATOR_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`SIMULATOR_PORT must be a port number, got '${value}'`);
  return port;
}

/** One line per event on stderr, so stdout carries only the URL line. */
const stderrLogger: SimulatorLogger = {
  debug: () => undefined,
  info: (message, fields) => process.stderr.write(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
  warn: (message, fields) => process.stderr.write(`WARN ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
  error: (message, fields) => process.stderr.write(`ERROR ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
};

async function main(): Promise<void> {
  const simulator = await startSimulator({
    port: parsePort(process.env.SIMULATOR_PORT),
    host: '127.0.0.1',
    autoCreateAfterMs: 5000,
    logger: stderrLogger,
    stateFile: path.resolve(process.env.DATA_DIR || './.data', SIMULATED_TENANT_FILE),
  });
  process.stdout.write(`Simulated tenant listening on ${simulator.url}\n`);
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`The simulator could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
