import type { Clock, Logger } from '../domain/ports';
import { systemClock } from './clock';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|connection_?string|cookie|^(api|access|account|instrumentation)?_?key$/i;

/** Values under secret-looking keys are never written, however deep. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

/** One JSON object per line on stdout, which App Service and Application Insights both collect. */
export function createLogger(level: Level = 'info', write: (line: string) => void = (l) => process.stdout.write(l), clock: Clock = systemClock): Logger {
  const log = (at: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[level]) return;
    write(`${JSON.stringify({ time: clock.now().toISOString(), level: at, message, ...(redact(fields ?? {}) as object) })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
