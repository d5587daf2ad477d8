import type { TokenCredential } from '@azure/core-auth';
import { TableClient } from '@azure/data-tables';
import { isLoopbackHttp, tableEndpointOf } from './table-endpoint';

/** Managed identity (or another Entra credential) against the account's Table endpoint, or a connection string. */
export type TablesConnection = { endpoint: string; credential: TokenCredential } | { connectionString: string };

export const DEFAULT_TABLE = 'lockbox';

/** A client for one table; plain HTTP is allowed only to an emulator on loopback, such as Azurite. */
export function createTableClient(connection: TablesConnection, tableName = DEFAULT_TABLE): TableClient {
  if ('connectionString' in connection) {
    const endpoint = tableEndpointOf(connection.connectionString) ?? '';
    return TableClient.fromConnectionString(connection.connectionString, tableName, { allowInsecureConnection: isLoopbackHttp(endpoint) });
  }
  return new TableClient(connection.endpoint, tableName, connection.credential, { allowInsecureConnection: isLoopbackHttp(connection.endpoint) });
}
