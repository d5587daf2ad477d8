import type { TurnContext } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import { render } from '../../cards/render';
import { plain } from '../../cards/text';
import type { Command } from '../../commands/parse';

const QUOTE_MAX = 100;

const COMMANDS = [
  { usage: '/lockbox status', description: 'Is Customer Lockbox on, how many requests wait, is the bot healthy' },
  { usage: '/lockbox pending', description: 'The requests waiting for you, each with its card' },
  { usage: '/lockbox history [n]', description: 'The last n decisions: who, what, when, why (admins)' },
  { usage: '/lockbox enable [azure|m365]', description: 'Turn Customer Lockbox on (Global Administrators)' },
  { usage: '/lockbox disable [azure|m365]', description: 'Turn Customer Lockbox off (Global Administrators)' },
  { usage: '/lockbox help', description: 'This list' },
];

/** The usage card, also the answer to anything the parser did not understand. */
export async function help(context: TurnContext, command: Command): Promise<void> {
  // Quoting a huge message back would make a card Teams refuses to deliver.
  if (command.kind === 'unknown' && command.input.length > QUOTE_MAX) command = { ...command, input: `${command.input.slice(0, QUOTE_MAX)}…` };
  const notice = command.kind !== 'unknown' ? null
    : command.suggestion ? `"${plain(command.input)}" is not a command. Did you mean /lockbox ${command.suggestion}?`
      : command.problem ? `"${plain(command.input)}": ${command.problem}.`
        : `"${plain(command.input)}" is not a command.`;
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(render('help', { commands: COMMANDS, notice }))));
}
