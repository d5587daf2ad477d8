import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { sameId } from '../../../domain/decision';
import { LockboxError } from '../../../domain/errors';
import { isCommand, parseCommand, type Command } from '../../commands/parse';
import type { TeamsDeps } from '../../deps';
import { textForError } from '../../error-cards';
import { t } from '../../i18n';
import { actorOf } from '../../identity';
import { help } from './help';
import { history } from './history';
import { pending } from './pending';
import { status } from './status';
import { switchLockbox } from './switch';

/** Every `/lockbox` command, one handler each; the parser decides which, so no route can shadow another. */
export function registerCommands(app: Application<TurnState>, deps: TeamsDeps): void {
  app.message(
    async (context) => context.activity.type === 'message' && isCommand(context.activity.text ?? ''),
    async (context) => run(context, deps, parseCommand(context.activity.text ?? '')),
  );
}

async function run(context: TurnContext, deps: TeamsDeps, command: Command): Promise<void> {
  if (command.kind === 'help' || command.kind === 'unknown') return help(context, command);
  const actor = actorOf(context.activity);
  if (!actor || !sameId(actor.tenantId, deps.tenantId)) {
    await context.sendActivity(t(context.activity.locale, 'command.otherOrganisation'));
    return;
  }
  try {
    switch (command.kind) {
      case 'status':
        return await status(context, deps, actor);
      case 'pending':
        return await pending(context, deps, actor);
      case 'history':
        return await history(context, deps, actor, command.count);
      case 'switch':
        return await switchLockbox(context, deps, actor, command.action, command.source);
    }
  } catch (error) {
    if (!(error instanceof LockboxError)) deps.logger.error('A command failed', { command: command.kind, error: String(error) });
    await context.sendActivity(textForError(error, context.activity.locale));
  }
}
