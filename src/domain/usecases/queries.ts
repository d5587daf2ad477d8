import type { Actor } from '../decision';
import { DirectoryUnavailable, NotAnAdmin, NotAnApprover } from '../errors';
import type { AuditEntry, CardCopy, RoleCheck } from '../ports';
import type { SourceKind } from '../request';
import { isActionable, type TrackedRequest } from '../tracked';
import { authorize, requireTenant } from './authorize';
import type { CoreDeps } from './deps';

type Deps = Pick<CoreDeps, 'store' | 'sources' | 'directory' | 'clock' | 'logger' | 'tenantId'>;

/**
 * `/lockbox pending`: the open requests this person may decide, by the role cache (a view; the click is
 * checked live). A directory that cannot answer for any of them is an error, not an empty list.
 */
export async function pendingFor(deps: Deps, actor: Actor): Promise<TrackedRequest[]> {
  await requireTenant(deps, { actor, refusal: 'decision.refused', detail: { command: 'pending' } }, () => new NotAnApprover([], 'wrong-tenant'));
  const now = deps.clock.now();
  const open = (await deps.store.listOpenRequests()).map((v) => v.value).filter((t) => isActionable(t, now));
  const mine: TrackedRequest[] = [];
  let failures = 0;
  for (const tracked of open) {
    const check = await deps.directory.checkApprover(actor.aadObjectId, tracked.request, 'cached').catch((error) => {
      failures++;
      deps.logger.warn('Could not check a role for /lockbox pending', { requestKey: tracked.key, error: String(error) });
      return undefined;
    });
    if (check?.allowed) mine.push(tracked);
  }
  if (failures && !mine.length) throw new DirectoryUnavailable(`${failures} of ${open.length} role checks failed`);
  return mine;
}

/**
 * `/lockbox history`: the last decisions from the audit trail, each with its request as the bot knows it
 * now, for admins only and only of the products they administer (it names people).
 */
export async function decisionHistory(deps: Deps, actor: Actor, count: number): Promise<{ entry: AuditEntry; tracked?: TrackedRequest }[]> {
  const attempt = { actor, refusal: 'admin.refused' as const, detail: { command: 'history' } };
  const check = await authorize(deps, attempt, () => anyAdmin(deps, actor), (reason, found) => new NotAnAdmin(reason === 'wrong-tenant' ? [] : (found?.requiredRoles ?? [])));
  const products = new Set<string>(check.products);
  // Entries of other products are skipped, so read further back than asked to still fill the page.
  const entries = (await deps.store.listAudit({ kinds: ['decision.recorded'], limit: count * deps.sources.size }))
    .filter((e) => e.requestKey && products.has(sourceOfKey(e.requestKey)))
    .slice(0, count);
  const tracked = new Map<string, TrackedRequest | undefined>();
  for (const key of new Set(entries.map((e) => e.requestKey).filter((k): k is string => Boolean(k)))) tracked.set(key, (await deps.store.getRequest(key))?.value);
  return entries.map((entry) => ({ entry, tracked: entry.requestKey ? tracked.get(entry.requestKey) : undefined }));
}

const sourceOfKey = (key: string): string => key.slice(0, key.indexOf(':'));

/** A card re-posted by `/lockbox pending` becomes the copy the bot keeps up to date for that person. */
export function adoptRepostedCard(deps: Deps, copy: Required<CardCopy>): Promise<void> {
  return deps.store.recordCard(copy);
}

export interface SourceStatus {
  source: SourceKind;
  enabled: boolean | { error: string };
  waiting: number;
}

/** `/lockbox status`: for anyone of the organisation, per product: on or off, and how many requests wait. */
export async function lockboxStatus(deps: Deps, actor: Actor): Promise<SourceStatus[]> {
  await requireTenant(deps, { actor, refusal: 'admin.refused', detail: { command: 'status' } }, () => new NotAnAdmin([]));
  const now = deps.clock.now();
  const open = (await deps.store.listOpenRequests()).map((v) => v.value).filter((t) => isActionable(t, now));
  return Promise.all([...deps.sources.values()].map(async (source) => ({
    source: source.kind,
    enabled: await source.isEnabled().catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) })),
    waiting: open.filter((o) => o.request.source === source.kind).length,
  })));
}

async function anyAdmin(deps: Deps, actor: Actor): Promise<RoleCheck & { products: SourceKind[] }> {
  const sources = [...deps.sources.keys()];
  const checks = await Promise.all(sources.map((source) => deps.directory.checkAdmin(actor.aadObjectId, source)));
  const allowed = checks.filter((c) => c.allowed);
  return {
    allowed: allowed.length > 0,
    heldRoles: [...new Set(allowed.flatMap((c) => c.heldRoles))],
    requiredRoles: [...new Set(checks.flatMap((c) => c.requiredRoles))],
    products: sources.filter((_, i) => checks[i]?.allowed),
  };
}
