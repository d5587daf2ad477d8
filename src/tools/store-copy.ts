/**
 * `npm run store:copy -- --from sqlite --to table`: copies the embedded store in DATA_DIR (or --data-dir)
 * into the Azure Table store that STATE_STORE=table would use (AZURE_TABLES_ENDPOINT or
 * AZURE_TABLES_CONNECTION_STRING). Creates only what is missing, so it is safe to run again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { createCredential } from '../http/credentials';
import { TableStore } from '../store/table';
import { createTableClient } from '../store/table-client';
import { copySqliteToTable } from '../store/table-copy';
import { tableEndpointOf } from '../store/table-endpoint';

function option(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const from = option(argv, '--from');
  const to = option(argv, '--to');
  if (from !== 'sqlite' || to !== 'table') {
    process.stderr.write('Usage: npm run store:copy -- --from sqlite --to table [--data-dir DIR]  (the only direction supported)\n');
    process.exit(2);
  }
  const config = loadConfig({ ...process.env, STATE_STORE: 'table', ...(option(argv, '--data-dir') ? { DATA_DIR: option(argv, '--data-dir') } : {}) });
  if (config.store.kind !== 'table') throw new Error('unreachable: STATE_STORE is table here');
  const file = path.join(config.dataDir, 'lockbox.sqlite');
  if (!fs.existsSync(file)) {
    process.stderr.write(`No SQLite store at ${file}: set DATA_DIR (or --data-dir) to the bot's data directory.\n`);
    process.exit(2);
  }
  const { connection } = config.store;
  const endpoint = 'endpoint' in connection ? connection.endpoint : tableEndpointOf(connection.connectionString);
  const client = createTableClient('endpoint' in connection
    ? { endpoint: connection.endpoint, credential: createCredential(config.azureCredential, config.azureClientId) }
    : connection);
  const report = await copySqliteToTable(file, await TableStore.open(client));

  const lines = [`Copied ${file} to Azure Table Storage at ${endpoint} (table ${client.tableName}):`];
  for (const [what, { copied, present }] of Object.entries(report)) {
    lines.push(`  ${what.padEnd(13)} ${String(copied).padStart(6)} copied, ${String(present).padStart(6)} already there`);
  }
  lines.push('Confirmations (valid for minutes) and leases are not copied.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error) => {
  const prefix = error instanceof ConfigError ? 'Store copy cannot start.' : 'Store copy failed:';
  process.stderr.write(`${prefix} ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
