import path from 'node:path';
import { ConfigError, type Config } from '../config';
import type { Clock, Store } from '../domain/ports';
import { systemClock } from '../runtime/clock';
import { createCredential } from '../http/credentials';
import { SqliteStore } from './sqlite';
import { TableStore } from './table';
import { createTableClient } from './table-client';

/** The store the configuration names (STATE_STORE): the bot and its tools read the same one. */
export async function openStore(config: Config, clock: Clock = systemClock): Promise<Store> {
  if (config.store.kind === 'table') {
    const { connection } = config.store;
    const where = 'endpoint' in connection ? connection.endpoint : 'AZURE_TABLES_CONNECTION_STRING';
    const client = createTableClient('endpoint' in connection
      ? { endpoint: connection.endpoint, credential: createCredential(config.azureCredential, config.azureClientId) }
      : connection);
    try {
      return await TableStore.open(client, { clock });
    } catch (error) {
      throw new Error(`Cannot open the Table store at ${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  try {
    return SqliteStore.open(path.join(config.dataDir, 'lockbox.sqlite'));
  } catch (error) {
    throw new ConfigError('DATA_DIR', `a directory the bot can write its state to (${error instanceof Error ? error.message : String(error)})`, config.dataDir);
  }
}
