import assert from 'node:assert/strict';
import { COMMAND_TEXT_MAX, isCommand, parseCommand, type Command } from '../../src/teams/commands/parse';

describe('reading /lockbox commands', () => {
  const cases: [string, Command][] = [
    ['/lockbox', { kind: 'help' }],
    ['/lockbox help', { kind: 'help' }],
    ['  /LOCKBOX   Help  ', { kind: 'help' }],
    ['lockbox status', { kind: 'status' }],
    ['<at>Lockbox Bot</at> /lockbox pending', { kind: 'pending' }],
    ['/lockbox&nbsp;status', { kind: 'status' }],
    ['/lockbox history', { kind: 'history', count: 10 }],
    ['/lockbox history 3', { kind: 'history', count: 3 }],
    ['/lockbox enable', { kind: 'switch', action: 'enable' }],
    ['/lockbox disable M365', { kind: 'switch', action: 'disable', source: 'm365' }],
    ['/lockbox enable azure', { kind: 'switch', action: 'enable', source: 'azure' }],
    ['/lockbox enabel', { kind: 'unknown', input: '/lockbox enabel', suggestion: 'enable' }],
    ['/lockbox stats', { kind: 'unknown', input: '/lockbox stats', suggestion: 'status' }],
    ['/lockbox frobnicate', { kind: 'unknown', input: '/lockbox frobnicate', suggestion: undefined }],
    ['/lockbox history 0', { kind: 'unknown', input: '/lockbox history 0', problem: { kind: 'history-count', max: 50 } }],
    ['/lockbox history lots', { kind: 'unknown', input: '/lockbox history lots', problem: { kind: 'history-count', max: 50 } }],
    ['/lockbox enable; rm -rf /', { kind: 'unknown', input: '/lockbox enable; rm -rf /', suggestion: 'enable' }],
    ['/lockbox enable everything', { kind: 'unknown', input: '/lockbox enable everything', problem: { kind: 'switch-product', command: 'enable' } }],
    ['/lockbox status now', { kind: 'unknown', input: '/lockbox status now', problem: { kind: 'no-arguments', command: 'status' } }],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseCommand(text), expected));
  }

  const notCommands = ['hello', '/lockboxes', 'please /lockbox help', 'lockboxstatus', ''];
  for (const text of notCommands) {
    it(`leaves ${JSON.stringify(text)} alone`, () => assert.equal(isCommand(text), false));
  }
});

describe('reading a huge message', () => {
  it(`reads no further than ${COMMAND_TEXT_MAX} characters`, () => {
    const command = parseCommand(`/lockbox status${' now'.repeat(100_000)}`);
    assert.equal(command.kind, 'unknown');
    assert.ok(command.kind === 'unknown' && command.input.length <= COMMAND_TEXT_MAX);
  });

  it('strips tags one at a time, so a run of "<" stays text', () => {
    assert.deepEqual(parseCommand('/lockbox <<<b>status'), { kind: 'unknown', input: '/lockbox << status', suggestion: undefined });
    assert.deepEqual(parseCommand('/lockbox <i>status</i>'), { kind: 'status' });
  });
});
