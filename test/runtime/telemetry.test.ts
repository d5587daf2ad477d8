import assert from 'node:assert/strict';
import { runTelemetryChild, startFakeIngestion, type FakeIngestion } from '../support/fake-ingestion';

// Statsbeat reports to Microsoft's own endpoint, and SDK stats mix into what we assert on.
const quietSdk = {
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
  APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
  APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
};
/** The SDK always asks the Azure VM metadata service where it runs (no setting turns that off); the child refuses it. */
const azureVmMetadata = '169.254.169.254:80';

describe('telemetry to Application Insights', function () {
  this.timeout(20_000);
  let ingestion: FakeIngestion;

  beforeEach(async () => {
    ingestion = await startFakeIngestion();
  });
  afterEach(async () => {
    await ingestion.close();
  });

  it('delivers custom events and exceptions to the endpoint in APPLICATIONINSIGHTS_CONNECTION_STRING', async () => {
    const run = await runTelemetryChild({ ...quietSdk, APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString, NODE_EXTRA_CA_CERTS: ingestion.caFile });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.ok(run.report?.sdkLoaded, run.stderr);
    assert.deepEqual(run.report.blocked.filter((b) => b !== azureVmMetadata), [], 'the SDK tried to reach another machine');
    // OpenTelemetry reports at error level that the host id was not read yet: the child flushes within
    // milliseconds of start, long before the SDK's own first export would happen.
    const early = 'Application Insights: Accessing resource attributes before async attributes settled';
    assert.deepEqual(run.logs.filter((l) => (l.level === 'warn' || l.level === 'error') && l.message !== early), []);

    assert.ok(ingestion.calls.length > 0, 'nothing reached the ingestion endpoint');
    for (const call of ingestion.calls) assert.deepEqual([call.method, call.path], ['POST', '/v2.1/track']);
    const envelopes = ingestion.envelopes();
    assert.deepEqual(envelopes.map((e) => e.name), ['Microsoft.ApplicationInsights.Event', 'Microsoft.ApplicationInsights.Event', 'Microsoft.ApplicationInsights.Exception']);
    for (const envelope of envelopes) assert.equal(envelope.iKey, ingestion.instrumentationKey);

    const events = envelopes.filter((e) => e.data.baseType === 'EventData').map((e) => ({ name: e.data.baseData.name, properties: e.data.baseData.properties }));
    assert.deepEqual(events, [
      { name: 'RequestDetected', properties: { source: 'azure', requestId: 'req-1' } },
      { name: 'DecisionRecorded', properties: { source: 'azure', verdict: 'approve' } },
    ]);

    const exceptions = envelopes.filter((e) => e.data.baseType === 'ExceptionData').map((e) => e.data.baseData);
    assert.equal(exceptions.length, 1);
    assert.deepEqual(exceptions[0]!.properties, { source: 'azure' });
    assert.equal(exceptions[0]!.exceptions[0].typeName, 'Error');
    assert.equal(exceptions[0]!.exceptions[0].message, 'The lockbox API failed');
  });

  it('says so in the bot\'s log when the ingestion endpoint cannot be used', async () => {
    // Without the test CA the exporter cannot trust the endpoint: the same failure as a wrong or unreachable one.
    const run = await runTelemetryChild({ ...quietSdk, APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(ingestion.envelopes(), []);
    const problems = run.logs.filter((l) => l.level === 'error' || l.level === 'warn');
    assert.ok(problems.some((l) => l.message.startsWith('Application Insights:') && /certificate/i.test(l.message)), run.stderr);
  });

  it('sends nothing, and does not even load the SDK, without a connection string', async () => {
    const run = await runTelemetryChild({ ...quietSdk, NODE_EXTRA_CA_CERTS: ingestion.caFile });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(run.report, { sdkLoaded: false, blocked: [] }, run.stderr);
    assert.deepEqual(ingestion.calls, []);
  });
});
