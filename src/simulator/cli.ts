import { parseArgs } from 'node:util';
import { DEFAULT_SIMULATOR_PORT } from './main';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  fetch: typeof fetch;
}

const USAGE = [
  'Usage: npm run simulate:request [-- --url http://127.0.0.1:3979] [--kind azure|m365] [--subscription <id>] [--justification "<text>"]',
  '  --kind azure (default) creates an Azure request in a subscription; --kind m365 a Microsoft 365 (Exchange Online) one.',
].join('\n');

type Kind = 'azure' | 'm365';

interface KindSpec {
  path: string;
  body(values: { subscription?: string; justification?: string }): Record<string, string>;
  describe(payload: unknown): string[];
}

const KINDS: Record<Kind, KindSpec> = {
  azure: {
    path: '/_simulator/lockbox/requests',
    body: (values) => ({
      ...(values.subscription !== undefined ? { subscriptionId: values.subscription } : {}),
      ...(values.justification !== undefined ? { justification: values.justification } : {}),
    }),
    describe: (payload) => {
      const { properties } = payload as { properties: { requestId: string; subscriptionId: string; expirationDateTime: string } };
      return [`Created Pending lockbox request ${properties.requestId} in subscription ${properties.subscriptionId}.`, `It expires at ${properties.expirationDateTime}.`];
    },
  },
  m365: {
    path: '/_simulator/m365/requests',
    body: (values): Record<string, string> => (values.justification !== undefined ? { Comment: values.justification } : {}),
    describe: (payload) => {
      const record = payload as { RequestId: string; ServiceName: string; ExpiryTime: string };
      return [`Created Pending Microsoft 365 lockbox request ${record.RequestId} for ${record.ServiceName}.`, `It expires at ${record.ExpiryTime}.`];
    },
  },
};

/** Asks a running simulator for a new Pending request of either kind; answers the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let values: { url?: string; kind?: string; subscription?: string; justification?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' }, kind: { type: 'string' }, subscription: { type: 'string' }, justification: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const kind = values.kind ?? 'azure';
  if (kind !== 'azure' && kind !== 'm365') {
    io.err(`--kind must be azure or m365, got '${kind}'.\n${USAGE}`);
    return 2;
  }
  if (kind === 'm365' && values.subscription !== undefined) {
    io.err(`Microsoft 365 requests belong to no subscription: drop --subscription, or use --kind azure.\n${USAGE}`);
    return 2;
  }
  const spec = KINDS[kind];
  const base = (values.url ?? process.env.SIMULATOR_URL ?? `http://127.0.0.1:${process.env.SIMULATOR_PORT ?? DEFAULT_SIMULATOR_PORT}`).replace(/\/+$/, '');
  const body = spec.body(values);

  let response: Response;
  try {
    response = await io.fetch(`${base}${spec.path}`, {
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
  for (const line of spec.describe(payload)) io.out(line);
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
