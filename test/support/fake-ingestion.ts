import { spawn } from 'node:child_process';
import { X509Certificate, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/runtime/logger';
import { createTelemetry } from '../../src/runtime/telemetry';

/** One telemetry item as Application Insights ingestion receives it. */
export interface Envelope {
  name: string;
  iKey: string;
  time: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, any> };
}

export interface IngestionCall {
  method: string;
  path: string;
  envelopes: Envelope[];
}

/**
 * Stands in for an Application Insights ingestion endpoint on 127.0.0.1: it accepts the envelopes
 * the Azure Monitor exporter POSTs to /v2.1/track and records them. The exporter rewrites every
 * endpoint to https, so this serves TLS with a throwaway certificate that only a child process
 * started with `caFile` in NODE_EXTRA_CA_CERTS trusts.
 */
export async function startFakeIngestion() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-ingestion-'));
  const { cert, key } = selfSignedCertificate('127.0.0.1');
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, cert);

  const calls: IngestionCall[] = [];
  const server = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString('utf8').trim();
      const envelopes: Envelope[] = !text ? [] : text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((line) => JSON.parse(line));
      calls.push({ method: req.method ?? '', path: req.url ?? '', envelopes });
      const known = req.method === 'POST' && /^\/v2(\.1)?\/track$/.test(req.url ?? '');
      res.statusCode = known ? 200 : 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(known ? { itemsReceived: envelopes.length, itemsAccepted: envelopes.length, errors: [] } : { error: `No route ${req.url}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const instrumentationKey = '00000000-0000-4000-8000-000000000001';
  return {
    instrumentationKey,
    connectionString: `InstrumentationKey=${instrumentationKey};IngestionEndpoint=https://127.0.0.1:${port}/`,
    caFile,
    calls,
    envelopes: () => calls.flatMap((c) => c.envelopes),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type FakeIngestion = Awaited<ReturnType<typeof startFakeIngestion>>;

export interface TelemetryChildResult {
  exitCode: number | null;
  /** What the child reported after flushing: whether it loaded the SDK, and connections it refused to make. */
  report?: { sdkLoaded: boolean; blocked: string[] };
  /** What the bot's logger wrote (one JSON object a line on stderr). */
  logs: { level: string; message: string }[];
  stderr: string;
}

/**
 * Runs `emitSampleTelemetry` below in a fresh Node process, because Application Insights
 * instruments the whole process (http, exceptions) and cannot be taken out again.
 */
export function runTelemetryChild(env: Record<string, string>, timeoutMs = 15_000): Promise<TelemetryChildResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'telemetry-child-'));
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'SystemRoot']) if (process.env[name]) base[name] = process.env[name]!;
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', __filename], {
    cwd: path.resolve(__dirname, '../..'),
    // A clean environment, so nothing from the developer's shell (a real connection string) leaks in;
    // the temp dir keeps the exporter's retry storage out of the real one.
    env: { ...base, TMPDIR: dir, TMP: dir, TEMP: dir, TELEMETRY_CHILD: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The telemetry child did not finish within ${timeoutMs} ms.\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      const logs = stderr.split('\n').flatMap((l) => {
        try {
          const entry = JSON.parse(l);
          return typeof entry?.level === 'string' ? [entry] : [];
        } catch {
          return [];
        }
      });
      resolve({ exitCode, report: line ? JSON.parse(line.slice('REPORT '.length)) : undefined, logs, stderr });
    });
  });
}

/** The child: what the bot does with telemetry, started the way app.ts starts it. */
async function emitSampleTelemetry() {
  const blocked = refuseConnectionsOffThisMachine();
  const config = loadConfig(process.env);
  const telemetry = await createTelemetry(config.appInsightsConnectionString, createLogger('debug', (line) => process.stderr.write(line)));
  telemetry.event('RequestDetected', { source: 'azure', requestId: 'req-1' });
  telemetry.event('DecisionRecorded', { source: 'azure', verdict: 'approve' });
  telemetry.exception(new Error('The lockbox API failed'), { source: 'azure' });
  await telemetry.flush();
  const sdkLoaded = Object.keys(require.cache).some((file) => file.includes(`${path.sep}applicationinsights${path.sep}`));
  process.stdout.write(`REPORT ${JSON.stringify({ sdkLoaded, blocked })}\n`);
}

/**
 * The SDK also reaches out on its own (Azure VM metadata, statsbeat, remote settings). The test
 * turns off what can be turned off; this makes anything else fail here instead of leaving the machine.
 */
function refuseConnectionsOffThisMachine(): string[] {
  const blocked: string[] = [];
  const connect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as { host?: string; port?: unknown; path?: string };
    const host = options.host ?? 'localhost';
    if (!options.path && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
      blocked.push(`${host}:${String(options.port)}`);
      process.nextTick(() => this.destroy(new Error(`Blocked a connection to ${host} from a test`)));
      return this;
    }
    return connect.apply(this, args);
  } as typeof net.Socket.prototype.connect;
  return blocked;
}

/** A self-signed certificate for an IP address, built by hand because node:crypto cannot issue one. */
function selfSignedCertificate(ip: string): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const der = (tag: number, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    const length = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
    return Buffer.concat([Buffer.from([tag, ...length]), body]);
  };
  const seq = (...parts: Buffer[]) => der(0x30, ...parts);
  const oid = (dotted: string) => {
    const [a, b, ...rest] = dotted.split('.').map(Number);
    const bytes = [a! * 40 + b!];
    for (const n of rest) {
      const groups = [n & 0x7f];
      for (let v = n >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
      bytes.push(...groups);
    }
    return der(0x06, Buffer.from(bytes));
  };
  const utcTime = (date: Date) => der(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(ip)))));
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const now = Date.now();
  const basicConstraints = seq(oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), der(0x04, seq(der(0x01, Buffer.from([0xff])))));
  const subjectAltName = seq(oid('2.5.29.17'), der(0x04, seq(der(0x87, Buffer.from(ip.split('.').map(Number))))));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(basicConstraints, subjectAltName)),
  );
  const certificate = seq(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), sign('sha256', tbs, privateKey)));
  const cert = `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  if (!new X509Certificate(cert).checkIP(ip)) throw new Error('The test certificate does not name its IP address');
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

if (require.main === module && process.env.TELEMETRY_CHILD) {
  emitSampleTelemetry().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
