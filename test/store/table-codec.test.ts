import assert from 'node:assert/strict';
import { bodyProperties, EntityTooLarge, escapeKey, readBody, unescapeKey } from '../../src/store/table-codec';
import { isLoopbackHttp, tableEndpointOf } from '../../src/store/table-endpoint';

describe('Table entity encoding', () => {
  const keys: [string, string][] = [
    ['azure:sub-1:req-1', 'azure:sub-1:req-1'],
    ['m365:tenant:EXSR/123', 'm365:tenant:EXSR%2F123'],
    ['a\\b#c?d', 'a%5Cb%23c%3Fd'],
    ['100%', '100%25'],
    ['tab\there\u007f', 'tab%09here%7F'],
  ];
  for (const [key, escaped] of keys) {
    it(`escapes ${JSON.stringify(key)} to a legal key and back`, () => {
      assert.equal(escapeKey(key), escaped);
      assert.equal(unescapeKey(escaped), key);
    });
  }

  it('splits a long body over properties no longer than 32,000 UTF-16 units, never inside a surrogate pair', () => {
    const value = { text: `${'a'.repeat(31_990)}${'😀'.repeat(20_000)}` };
    const properties = bodyProperties('requests', 'k', value);
    const parts = Object.values(properties);
    assert.ok(parts.length > 1);
    for (const part of parts) {
      assert.ok(part.length <= 32_000);
      assert.doesNotMatch(part, /^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    assert.deepEqual(readBody('requests', 'k', properties), value);
  });

  it('refuses a body that no single entity can hold', () => {
    assert.throws(() => bodyProperties('audit', 'k', 'x'.repeat(480_001)), EntityTooLarge);
  });

  const endpoints: [string, string | undefined][] = [
    ['UseDevelopmentStorage=true', 'http://127.0.0.1:10002/devstoreaccount1'],
    ['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net', 'https://acct.table.core.windows.net'],
    ['AccountName=acct;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:4321/acct;', 'http://127.0.0.1:4321/acct'],
    ['SharedAccessSignature=sv=1', undefined],
  ];
  for (const [connectionString, endpoint] of endpoints) {
    it(`finds the table endpoint of ${connectionString.split(';')[0]}`, () => {
      assert.equal(tableEndpointOf(connectionString), endpoint);
    });
  }

  it('allows plain HTTP only to loopback', () => {
    assert.equal(isLoopbackHttp('http://127.0.0.1:10002/x'), true);
    assert.equal(isLoopbackHttp('http://[::1]:10002/x'), true);
    assert.equal(isLoopbackHttp('http://acct.table.core.windows.net'), false);
    assert.equal(isLoopbackHttp('https://127.0.0.1'), false);
  });
});
