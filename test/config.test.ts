import assert from 'node:assert/strict';
import { ConfigError, loadConfig, PUBLIC_CLOUD, resolveEndpoints, SIMULATED_TENANT_ID, tokenScopes } from '../src/config';

const REAL_TENANT = { TENANT_ID: '11111111-2222-4333-8444-555555555555', AZURE_SUBSCRIPTION_IDS: '22222222-2222-4333-8444-555555555555', BOT_ID: '33333333-2222-4333-8444-555555555555' };

describe('configuration', () => {
  it('runs on the embedded simulator with the Playground when no tenant is configured', () => {
    const config = loadConfig({});
    assert.deepEqual(config.simulator, { kind: 'embedded', port: 3979 });
    assert.equal(config.playground.enabled, true);
    assert.equal(config.tenantId, SIMULATED_TENANT_ID);
    assert.equal(config.port, 3978);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.pollIntervalSeconds, 5);
  });

  it("talks to Microsoft's public cloud once a tenant is configured, and nothing else changes", () => {
    const config = loadConfig(REAL_TENANT);
    assert.deepEqual(config.simulator, { kind: 'off' });
    assert.equal(config.playground.enabled, false);
    assert.equal(config.pollIntervalSeconds, 30);
    assert.deepEqual(resolveEndpoints(config, undefined), PUBLIC_CLOUD);
  });

  it('watches every subscription the identity can see when no subscriptions are named', () => {
    const { AZURE_SUBSCRIPTION_IDS: _none, ...tenantOnly } = REAL_TENANT;
    assert.deepEqual(loadConfig(tenantOnly).azureSubscriptionIds, []);
  });

  it('points every endpoint at a simulator running as its own process, unless one is overridden', () => {
    const config = loadConfig({ SIMULATOR: 'http://127.0.0.1:4000/', GRAPH_ENDPOINT: 'http://127.0.0.1:5000' });
    assert.deepEqual(resolveEndpoints(config, 'http://127.0.0.1:4000'), { arm: 'http://127.0.0.1:4000', graph: 'http://127.0.0.1:5000', exo: 'http://127.0.0.1:4000', pagerDuty: 'http://127.0.0.1:4000/v2/enqueue' });
  });

  it('pages through PagerDuty only with a routing key, at PagerDuty\'s endpoint unless PAGERDUTY_EVENTS_URL says otherwise', () => {
    const key = 'R0UTINGKEY0123456789abcdefABCDEF';
    assert.equal(loadConfig(REAL_TENANT).pagerDuty, undefined);
    const config = loadConfig({ ...REAL_TENANT, PAGERDUTY_ROUTING_KEY: key });
    assert.deepEqual(config.pagerDuty, { routingKey: key });
    assert.equal(resolveEndpoints(config, undefined).pagerDuty, 'https://events.pagerduty.com/v2/enqueue');
    assert.equal(resolveEndpoints(loadConfig({ ...REAL_TENANT, PAGERDUTY_EVENTS_URL: 'https://events.eu.pagerduty.com/v2/enqueue' }), undefined).pagerDuty, 'https://events.eu.pagerduty.com/v2/enqueue');
    assert.throws(() => loadConfig({ ...REAL_TENANT, PAGERDUTY_EVENTS_URL: 'http://events.example/v2/enqueue' }), (e: Error) => /^Setting PAGERDUTY_EVENTS_URL: /.test(e.message));
  });

  it('never puts the PagerDuty routing key in an error message', () => {
    const almost = 'R0UTINGKEY0123456789abcdefABCDE!';
    assert.throws(() => loadConfig({ PAGERDUTY_ROUTING_KEY: almost }), (e: Error) => /^Setting PAGERDUTY_ROUTING_KEY: /.test(e.message) && !e.message.includes(almost));
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['a port that is not a number', { PORT: 'eighty' }, /^Setting PORT: expected a port number \(0-65535\), got "eighty"\.$/],
    ['an unknown simulator mode', { SIMULATOR: 'maybe' }, /^Setting SIMULATOR: expected embedded, off, or the URL/],
    ['a tenant id that is not a GUID', { TENANT_ID: 'contoso' }, /^Setting TENANT_ID: expected your Microsoft Entra tenant id \(a GUID\), got "contoso"\.$/],
    ['an unknown way to sign in to Azure', { AZURE_CREDENTIAL: 'password' }, /^Setting AZURE_CREDENTIAL: expected default, managed-identity, environment or cli, got "password"\.$/],
    ['the simulator switched off without a tenant', { SIMULATOR: 'off' }, /^Setting TENANT_ID: .* but it is not set\.$/],
    ['an unknown lockbox source', { LOCKBOX_SOURCES: 'azure,exchange' }, /^Setting LOCKBOX_SOURCES: /],
    ['a malformed subscription list', { ...REAL_TENANT, AZURE_SUBSCRIPTION_IDS: 'abc, def' }, /^Setting AZURE_SUBSCRIPTION_IDS: /],
    ['a managed identity without its client id', { BOT_TYPE: 'UserAssignedMsi' }, /^Setting BOT_ID: /],
    ['a poll interval of zero', { POLL_INTERVAL_SECONDS: '0' }, /^Setting POLL_INTERVAL_SECONDS: /],
    ['an endpoint that is not a URL', { ARM_ENDPOINT: 'management' }, /^Setting ARM_ENDPOINT: expected an http\(s\) URL/],
  ];
  for (const [what, env, message] of bad) {
    it(`stops with one line naming the setting for ${what}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'));
    });
  }

  it('refuses to listen on a network for a real tenant without a bot app id, since nothing would check tokens', () => {
    const { BOT_ID: _ignored, ...withoutBot } = REAL_TENANT;
    assert.throws(() => loadConfig(withoutBot), (e: Error) => e instanceof ConfigError && /^Setting BOT_ID: /.test(e.message));
    assert.equal(loadConfig({ ...withoutBot, HOST: '127.0.0.1' }).host, '127.0.0.1');
  });

  it('accepts an Application Insights connection string and refuses something else', () => {
    const good = 'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://example.invalid/';
    assert.equal(loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: good }).appInsightsConnectionString, good);
    assert.throws(() => loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'yes please' }), (e: Error) => /^Setting APPLICATIONINSIGHTS_CONNECTION_STRING: /.test(e.message));
  });

  it('never puts the bot password in an error message', () => {
    assert.throws(() => loadConfig({ BOT_PASSWORD: 's3cret-value', BOT_TYPE: 'Nope' }), (error: Error) => !error.message.includes('s3cret-value'));
  });

  it('asks for tokens for the configured endpoints, so a national cloud works', () => {
    assert.deepEqual(tokenScopes(PUBLIC_CLOUD), { arm: 'https://management.azure.com/.default', graph: 'https://graph.microsoft.com/.default', exo: 'https://outlook.office365.com/.default' });
    const usGov = loadConfig({ ...REAL_TENANT, ARM_ENDPOINT: 'https://management.usgovcloudapi.net/', GRAPH_ENDPOINT: 'https://graph.microsoft.us', EXO_ENDPOINT: 'https://outlook.office365.us' });
    assert.deepEqual(tokenScopes(resolveEndpoints(usGov, undefined)), { arm: 'https://management.usgovcloudapi.net/.default', graph: 'https://graph.microsoft.us/.default', exo: 'https://outlook.office365.us/.default' });
  });
});
