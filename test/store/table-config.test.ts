import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';

const AZURITE = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

describe('state store settings', () => {
  it('keeps state in SQLite with a 30 s leader lease unless told otherwise', () => {
    const config = loadConfig({});
    assert.deepEqual(config.store, { kind: 'sqlite' });
    assert.equal(config.leaderLeaseSeconds, 30);
  });

  it('uses Azure Table Storage through the bot\'s credential at AZURE_TABLES_ENDPOINT', () => {
    const config = loadConfig({ STATE_STORE: 'table', AZURE_TABLES_ENDPOINT: 'https://acct.table.core.windows.net', LEADER_LEASE_SECONDS: '10' });
    assert.deepEqual(config.store, { kind: 'table', connection: { endpoint: 'https://acct.table.core.windows.net' } });
    assert.equal(config.leaderLeaseSeconds, 10);
  });

  it('uses a connection string, e.g. for Azurite on loopback', () => {
    assert.deepEqual(loadConfig({ STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: AZURITE }).store, { kind: 'table', connection: { connectionString: AZURITE } });
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['an unknown store', { STATE_STORE: 'redis' }, /^Setting STATE_STORE: expected sqlite or table, got "redis"\.$/],
    ['the table store with nowhere to go', { STATE_STORE: 'table' }, /^Setting AZURE_TABLES_ENDPOINT: .*when STATE_STORE is table, but it is not set\.$/],
    ['a plain-HTTP endpoint off this machine', { STATE_STORE: 'table', AZURE_TABLES_ENDPOINT: 'http://acct.table.core.windows.net' }, /^Setting AZURE_TABLES_ENDPOINT: expected the Table service URL/],
    ['both ways to connect at once', { STATE_STORE: 'table', AZURE_TABLES_ENDPOINT: 'https://acct.table.core.windows.net', AZURE_TABLES_CONNECTION_STRING: AZURITE }, /^Setting AZURE_TABLES_CONNECTION_STRING: expected to be unset when AZURE_TABLES_ENDPOINT is set/],
    ['a connection string sending its key over plain HTTP to another host', { STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: 'DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=c2VjcmV0' }, /^Setting AZURE_TABLES_CONNECTION_STRING: expected .*https table endpoint.*not shown/],
    ['a lease too short to renew', { LEADER_LEASE_SECONDS: '1' }, /^Setting LEADER_LEASE_SECONDS: expected a number of seconds from 3 to 300, got "1"\.$/],
  ];
  for (const [what, env, message] of bad) {
    it(`stops with one clear line for ${what}`, () => {
      assert.throws(() => loadConfig(env), (error: Error) => {
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /c2VjcmV0|a2V5/, 'the account key is never echoed');
        assert.equal(error.message.includes('\n'), false);
        return true;
      });
    });
  }
});
