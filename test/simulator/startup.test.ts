import { strict as assert } from 'node:assert';
import { setTimeout as delay } from 'node:timers/promises';
import { runCli } from '../../src/simulator/cli';
import { parsePort } from '../../src/simulator/main';
import { startSimulator, type RunningSimulator } from '../../src/simulator';

describe('starting and driving the simulator', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('listens on 127.0.0.1 on a free port when asked for port 0', async () => {
    sim = await startSimulator({ port: 0 });

    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(sim.port > 0);
    assert.equal(sim.url, `http://127.0.0.1:${sim.port}`);
  });

  it('creates one Pending Azure request and one Pending Microsoft 365 request on its own when autoCreateAfterMs is set', async () => {
    sim = await startSimulator({ port: 0, autoCreateAfterMs: 20 });
    assert.equal(sim.tenant.listRequests().length, 0);
    assert.equal(sim.tenant.listM365Requests().length, 0);

    await delay(120);

    assert.deepEqual(sim.tenant.listRequests().map((r) => r.status), ['Pending']);
    assert.deepEqual(sim.tenant.listM365Requests().map((r) => r.approvalStatus), ['Pending']);
    // The Azure request follows an open support case, opened by someone in the directory.
    const supportCase = sim.tenant.support.bySupportTicketId(sim.tenant.listRequests()[0]!.supportRequest);
    assert.equal(supportCase?.status, 'Open');
    assert.ok(sim.tenant.findUser(supportCase!.primaryEmailAddress));
  });

  it('closes even while a client holds a keep-alive connection, and twice without complaint', async () => {
    sim = await startSimulator({ port: 0 });
    await fetch(`${sim.url}/_simulator/healthz`);

    await sim.close();
    await sim.close();
    await assert.rejects(fetch(`${sim.url}/_simulator/healthz`));
    sim = undefined;
  });

  it('closes promptly while an injected delay is holding a call', async () => {
    sim = await startSimulator({ port: 0 });
    await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ path: 'users', delayMs: 60_000 }) });
    const held = fetch(`${sim.url}/v1.0/users/x`, { headers: { authorization: 'Bearer t' } }).catch(() => undefined);
    await delay(50);

    const started = Date.now();
    await sim.close();
    await held;
    sim = undefined;

    assert.ok(Date.now() - started < 2000);
  });

  it('reads SIMULATOR_PORT, defaulting to 3979, and refuses nonsense', () => {
    assert.equal(parsePort(undefined), 3979);
    assert.equal(parsePort('4000'), 4000);
    assert.throws(() => parsePort('http'), /SIMULATOR_PORT/);
  });

  describe('the simulate:request command', () => {
    const run = async (argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), fetch });
      return { code, out, err };
    };

    it('creates a request and prints its id and expiry', async () => {
      sim = await startSimulator({ port: 0 });

      const result = await run(['--url', sim.url, '--justification', 'Look at the VM']);

      assert.equal(result.code, 0, result.err.join('\n'));
      const [request] = sim.tenant.listRequests();
      assert.ok(request);
      assert.equal(request.justification, 'Look at the VM');
      assert.match(result.out.join('\n'), new RegExp(`${request.requestId}[\\s\\S]*${request.expirationDateTime}`));
    });

    it('says clearly when no simulator is running', async () => {
      sim = await startSimulator({ port: 0 });
      const url = sim.url;
      await sim.close();
      sim = undefined;

      const result = await run(['--url', url]);

      assert.equal(result.code, 1);
      assert.match(result.err.join('\n'), /No simulator answers at/);
    });

    it('passes on the simulator refusing an unknown subscription', async () => {
      sim = await startSimulator({ port: 0 });

      const result = await run(['--url', sim.url, '--subscription', 'nope']);

      assert.equal(result.code, 1);
      assert.match(result.err.join('\n'), /not in the simulated tenant/);
    });
  });
});
