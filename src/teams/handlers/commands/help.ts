import type { TurnContext } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import { adminRoles, approverRoleNames, type RequestScope } from '../../../domain/policy';
import { render } from '../../cards/render';
import { plain, productName } from '../../cards/text';
import type { Command, CommandProblem } from '../../commands/parse';
import { orList, t, type MessageKey } from '../../i18n';

const QUOTE_MAX = 100;

/** Who may turn each product on or off differs; the words come from the same rule the bot enforces. */
function whoMaySwitch(locale: string | undefined): string {
  return (['azure', 'm365'] as const)
    .map((source) => t(locale, 'help.whoMaySwitch', { product: productName(source), roles: orList(locale, adminRoles(source).map((r) => r.name)) }))
    .join('; ');
}

const COMMANDS: { usage: string; description: MessageKey }[] = [
  { usage: '/lockbox status', description: 'help.status' },
  { usage: '/lockbox pending', description: 'help.pending' },
  { usage: '/lockbox history [n]', description: 'help.history' },
  { usage: '/lockbox enable [azure|m365]', description: 'help.enable' },
  { usage: '/lockbox disable [azure|m365]', description: 'help.disable' },
  { usage: '/lockbox help', description: 'help.help' },
];

/** Microsoft's rule as the bot applies it, from the one place it is defined. */
const DECIDERS: { kind: MessageKey; scope: RequestScope; roles: MessageKey }[] = [
  { kind: 'help.deciders.azureSubscription', scope: 'azure-subscription', roles: 'help.deciders.onSubscription' },
  // Azure lists tenant-scoped requests to nobody and takes no decision on them through its API: only the portal.
  { kind: 'help.deciders.azureTenant', scope: 'azure-tenant', roles: 'help.deciders.inAzurePortal' },
  { kind: 'help.deciders.m365', scope: 'm365', roles: 'help.deciders.roles' },
];

function problemText(problem: CommandProblem, locale: string | undefined): string {
  if (problem.kind === 'history-count') return t(locale, 'help.problem.historyCount', { max: problem.max });
  return t(locale, problem.kind === 'no-arguments' ? 'help.problem.noArguments' : 'help.problem.switchProduct', { command: problem.command });
}

/** The usage card, also the answer to anything the parser did not understand. */
export async function help(context: TurnContext, command: Command): Promise<void> {
  // Quoting a huge message back would make a card Teams refuses to deliver.
  if (command.kind === 'unknown' && command.input.length > QUOTE_MAX) command = { ...command, input: `${command.input.slice(0, QUOTE_MAX)}…` };
  const locale = context.activity.locale;
  const input = command.kind === 'unknown' ? plain(command.input) : '';
  const notice = command.kind !== 'unknown' ? null
    : command.suggestion ? t(locale, 'help.didYouMean', { input, suggestion: command.suggestion })
      : command.problem ? t(locale, 'help.problem', { input, problem: problemText(command.problem, locale) })
        : t(locale, 'help.notCommand', { input });
  const commands = COMMANDS.map((c) => ({ usage: c.usage, description: t(locale, c.description, { who: whoMaySwitch(locale) }) }));
  const words = { title: t(locale, 'help.title'), footer: t(locale, 'help.footer'), deciders: t(locale, 'help.deciders.title') };
  const deciders = DECIDERS.map((d) => ({ kind: t(locale, d.kind), roles: t(locale, d.roles, { roles: orList(locale, approverRoleNames(d.scope)) }) }));
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(render('help', { commands, notice, words, deciders }))));
}
