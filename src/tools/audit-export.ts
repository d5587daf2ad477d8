/**
 * `npm run -s audit:export [-- --data-dir DIR] > audit.jsonl`: the bot's audit trail as JSON Lines on
 * stdout, oldest first, one decision, refusal or change per line, for a SIEM or a spreadsheet. It reads
 * the store the bot's configuration names: Azure Table Storage with STATE_STORE=table (as deployed),
 * else the SQLite file in DATA_DIR. (`-s` keeps npm's own banner out of the file; messages go to stderr.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { openStore } from '../store/open';
import { endQuietlyWhenPipeCloses, writeLine } from './stdout';

async function main(argv: string[]): Promise<void> {
  endQuietlyWhenPipeCloses();
  const flag = argv.indexOf('--data-dir');
  const config = loadConfig({ ...process.env, ...(flag >= 0 && argv[flag + 1] ? { DATA_DIR: argv[flag + 1]! } : {}) });
  const file = path.join(path.resolve(config.dataDir), 'lockbox.sqlite');
  // A SQLite file left behind next to a Table-backed bot is not its audit trail: only the configured store is.
  if (config.store.kind === 'sqlite' && !fs.existsSync(file)) {
    process.stderr.write(`No audit trail at ${file}: set DATA_DIR (or --data-dir) to the bot's data directory, or STATE_STORE=table and its settings for a bot on Azure Table Storage.\n`);
    process.exit(2);
  }
  const store = await openStore(config);
  try {
    for await (const entry of store.exportAudit()) {
      await writeLine(JSON.stringify(entry));
    }
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`Audit export failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
