import type { InfoPoster, InformedAs } from '../domain/notifications';
import { approverRoleNames, scopeOf } from '../domain/policy';
import type { LockboxRequest } from '../domain/request';
import type { Store } from '../domain/ports';
import type { TrackedRequest } from '../domain/tracked';
import { noticeCard } from './cards/render';
import { describeResource } from './cards/resource';
import { plain, productName } from './cards/text';
import { orList, t } from './i18n';
import type { TeamsMessenger } from './messenger';

/** An information card, without buttons, for people told of a request they cannot decide: what arrived, that they are not asked, and who can. */
export class TeamsInfoPoster implements InfoPoster {
  constructor(private readonly store: Store, private readonly messenger: TeamsMessenger) {}

  async postInfo(userId: string, tracked: TrackedRequest, approverCount: number, as: InformedAs): Promise<string | undefined> {
    const conversation = await this.store.getConversation(userId);
    if (!conversation) return undefined;
    const r = tracked.request;
    const locale = conversation.locale;
    const what = `${productName(r.source)} · ${plain(r.resourceIds[0] ? describeResource(r.resourceIds[0], locale) : r.requestId)}`;
    const text = t(locale, as === 'on-call' ? 'info.text' : 'info.text.notifyGroup', { what, count: approverCount, deciders: deciders(r, locale) });
    const card = noticeCard(t(locale, 'info.title'), text, 'accent');
    return this.messenger.postCard(conversation, card, t(locale, 'info.summary', { product: productName(r.source) }));
  }
}

/** Who may decide, from the one rule in the domain. */
function deciders(request: LockboxRequest, locale: string | undefined): string {
  const scope = scopeOf(request);
  return t(locale, scope === 'azure-subscription' ? 'info.deciders.onSubscription' : 'info.deciders', { roles: orList(locale, approverRoleNames(scope)) });
}
