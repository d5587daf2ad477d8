/**
 * `npm run -s audit:export [-- --data-dir DIR] > audit.jsonl`: the bot's audit trail as JSON Lines on
 * stdout, oldest first, one decision, refusal or change per line, for a SIEM or a spreadsheet.
 * (`-s` keeps npm's own banner out of the file; messages go to stderr.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { SqliteStore } from '../store/sqlite';
import { endQuietlyWhenPipeCloses, writeLine } from './stdout';

async function main(argv: string[]): Promise<void> {
  endQuietlyWhenPipeCloses();
  const flag = argv.indexOf('--data-dir');
  const dataDir = path.resolve(flag >= 0 && argv[flag + 1] ? argv[flag + 1]! : process.env.DATA_DIR || './.data');
  const file = path.join(dataDir, 'lockbox.sqlite');
  if (!fs.existsSync(file)) {
    process.stderr.write(`No audit trail at ${file}: set DATA_DIR (or --data-dir) to the bot's data directory.\n`);
    process.exit(2);
  }
  const store = SqliteStore.open(file);
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
