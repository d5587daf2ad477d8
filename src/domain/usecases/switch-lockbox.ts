import type { Confirmation, SwitchAction } from '../admin';
import { sameId, type Actor } from '../decision';
import { AlreadySwitched, ConfirmationInvalid, NotAnAdmin, SourceNotConfigured } from '../errors';
import type { LockboxSource, RoleCheck } from '../ports';
import type { SourceKind } from '../request';
import { authorize } from './authorize';
import type { CoreDeps } from './deps';

/** How long an admin has to confirm turning Customer Lockbox on or off. */
export const CONFIRMATION_TTL_MS = 5 * 60_000;

type Deps = Pick<CoreDeps, 'store' | 'sources' | 'directory' | 'clock' | 'logger' | 'tenantId'>;

export interface SwitchCommand {
  actor: Actor;
  action: SwitchAction;
  source: SourceKind;
}

/** First step of `/lockbox enable|disable`: checks the role live and hands back a confirmation for this person only. */
export async function requestSwitch(deps: Deps, command: SwitchCommand, id: string): Promise<Confirmation> {
  const source = sourceOf(deps, command.source);
  await authorizeAdmin(deps, command);
  if (await isAlready(deps, source, command.action)) throw new AlreadySwitched(command.action, command.source);
  const confirmation: Confirmation = {
    id,
    userId: command.actor.aadObjectId,
    action: command.action,
    source: command.source,
    expiresAt: new Date(deps.clock.now().getTime() + CONFIRMATION_TTL_MS).toISOString(),
  };
  await deps.store.saveConfirmation(confirmation, deps.clock.now());
  return confirmation;
}

/**
 * Second step: the same person confirms in time, still holds the role, and the switch happens upstream.
 * The confirmation is used up only once the switch is authorised and attempted: someone else's click
 * (audited) or a directory that cannot answer leaves it for its owner to use.
 */
export async function confirmSwitch(deps: Deps, actor: Actor, id: string): Promise<Confirmation> {
  const confirmation = await deps.store.takeConfirmation(id);
  if (!confirmation || Date.parse(confirmation.expiresAt) <= deps.clock.now().getTime()) throw new ConfirmationInvalid('expired');
  const command = { actor, action: confirmation.action, source: confirmation.source };
  await keepUnlessAuthorised(deps, confirmation, command);
  try {
    await sourceOf(deps, confirmation.source).setEnabled(confirmation.action === 'enable');
  } catch (error) {
    await audit(deps, 'admin.failed', command, { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  await audit(deps, 'admin.lockbox-switched', command, {});
  deps.logger.warn(`Customer Lockbox was turned ${confirmation.action === 'enable' ? 'on' : 'off'} from Teams`, { source: confirmation.source, userId: actor.aadObjectId });
  return confirmation;
}

/** Cancels a pending confirmation; only its owner may, and anyone else's attempt is audited. */
export async function cancelSwitch(deps: Deps, actor: Actor, id: string): Promise<void> {
  const confirmation = await deps.store.takeConfirmation(id);
  if (confirmation && !sameId(confirmation.userId, actor.aadObjectId)) {
    await deps.store.saveConfirmation(confirmation, deps.clock.now());
    await audit(deps, 'admin.refused', { actor, action: confirmation.action, source: confirmation.source }, { reason: 'someone-else', step: 'cancel' });
    throw new ConfirmationInvalid('someone-else');
  }
}

async function keepUnlessAuthorised(deps: Deps, confirmation: Confirmation, command: SwitchCommand): Promise<void> {
  if (!sameId(confirmation.userId, command.actor.aadObjectId)) {
    await deps.store.saveConfirmation(confirmation, deps.clock.now());
    await audit(deps, 'admin.refused', command, { reason: 'someone-else', step: 'confirm' });
    throw new ConfirmationInvalid('someone-else');
  }
  try {
    await authorizeAdmin(deps, command);
  } catch (error) {
    await deps.store.saveConfirmation(confirmation, deps.clock.now());
    throw error;
  }
}

/** When upstream cannot say, the question is asked anyway: switching is idempotent upstream. */
async function isAlready(deps: Deps, source: LockboxSource, action: SwitchAction): Promise<boolean> {
  try {
    return (await source.isEnabled()) === (action === 'enable');
  } catch (error) {
    deps.logger.debug('Could not read whether Customer Lockbox is on; asking for confirmation anyway', { source: source.kind, error: String(error) });
    return false;
  }
}

function sourceOf(deps: Deps, source: SourceKind): LockboxSource {
  const found = deps.sources.get(source);
  if (!found) throw new SourceNotConfigured(source);
  return found;
}

function authorizeAdmin(deps: Deps, command: SwitchCommand): Promise<RoleCheck> {
  const attempt = { actor: command.actor, refusal: 'admin.refused' as const, detail: { action: command.action, source: command.source } };
  return authorize(deps, attempt, () => deps.directory.checkAdmin(command.actor.aadObjectId, command.source), (reason, check) => new NotAnAdmin(reason === 'wrong-tenant' ? [] : (check?.requiredRoles ?? [])));
}

async function audit(deps: Deps, kind: 'admin.refused' | 'admin.failed' | 'admin.lockbox-switched', command: SwitchCommand, detail: Record<string, unknown>) {
  await deps.store.appendAudit({ at: deps.clock.now().toISOString(), kind, actor: command.actor, detail: { action: command.action, source: command.source, ...detail } });
}
