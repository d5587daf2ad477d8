import assert from 'node:assert/strict';
import { createLogger } from '../../src/runtime/logger';

describe('the logger', () => {
  const capture = (level: 'debug' | 'info' = 'info') => {
    const lines: string[] = [];
    return { lines, logger: createLogger(level, (line) => lines.push(line)) };
  };

  it('writes one JSON object per line with time, level and message', () => {
    const { lines, logger } = capture();
    logger.warn('A lockbox scope could not be polled', { scope: 'subscription 1' });
    const entry = JSON.parse(lines[0]!);
    assert.equal(entry.level, 'warn');
    assert.equal(entry.message, 'A lockbox scope could not be polled');
    assert.equal(entry.scope, 'subscription 1');
    assert.ok(lines[0]!.endsWith('\n'));
  });

  it('never writes secrets, however deep they sit', () => {
    const { lines, logger } = capture();
    logger.error('failed', { password: 'p1', headers: { Authorization: 'Bearer t0k3n' }, nested: [{ clientSecret: 's3' }], connectionString: 'InstrumentationKey=k', apiKey: 'k2' });
    for (const secret of ['p1', 't0k3n', 's3', 'InstrumentationKey=k', 'k2']) assert.equal(lines[0]!.includes(secret), false, secret);
  });

  it('keeps ordinary fields whose names merely contain "key"', () => {
    const { lines, logger } = capture();
    logger.info('New lockbox request', { requestKey: 'azure:sub:1' });
    assert.equal(JSON.parse(lines[0]!).requestKey, 'azure:sub:1');
  });

  it('leaves out messages below its level', () => {
    const { lines, logger } = capture('info');
    logger.debug('noise');
    assert.deepEqual(lines, []);
  });
});
