import { parseArgs } from 'node:util';
import { DEFAULT_SIMULATOR_PORT } from './main';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  fetch: typeof fetch;
}

const USAGE = 'Usage: npm run simulate:request [-- --url http://127.0.0.1:3979] [--subscription <id>] [--justification "<text>"]';

/** Asks a running simulator for a new Pending request; answers the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let values: { url?: string; subscription?: string; justification?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, subscription: { type: 'string' }, justification: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const base = (values.url ?? process.env.SIMULATOR_URL ?? `http://127.0.0.1:${process.env.SIMULATOR_PORT ?? DEFAULT_SIMULATOR_PORT}`).replace(/\/+$/, '');
  const body: Record<string, string> = {};
  if (values.subscription !== undefined) body.subscriptionId = values.subscription;
  if (values.justification !== undefined) body.justification = values.justification;

  let response: Response;
  try {
    response = await io.fetch(`${base}/_simulator/lockbox/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    io.err(`No simulator answers at ${base}. Start it with "npm run simulator" (or "npm start", which embeds it), or pass --url.`);
    return 1;
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (response.status !== 201) {
    const message = (payload as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${response.status}`;
    io.err(`The simulator refused the request: ${message}`);
    return 1;
  }
  const { properties } = payload as { properties: { requestId: string; subscriptionId: string; expirationDateTime: string } };
  io.out(`Created Pending lockbox request ${properties.requestId} in subscription ${properties.subscriptionId}.`);
  io.out(`It expires at ${properties.expirationDateTime}.`);
  return 0;
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    fetch,
  }).then((code) => {
    process.exitCode = code;
  });
}
