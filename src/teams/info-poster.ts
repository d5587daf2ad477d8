import type { InfoPoster } from '../domain/notifications';
import type { Store } from '../domain/ports';
import type { TrackedRequest } from '../domain/tracked';
import { noticeCard } from './cards/render';
import { describeResource } from './cards/resource';
import { plain, productName } from './cards/text';
import { t } from './i18n';
import type { TeamsMessenger } from './messenger';

/** An information card, without buttons, for on-call staff who cannot decide: what arrived and who can. */
export class TeamsInfoPoster implements InfoPoster {
  constructor(private readonly store: Store, private readonly messenger: TeamsMessenger) {}

  async postInfo(userId: string, tracked: TrackedRequest, approverCount: number): Promise<string | undefined> {
    const conversation = await this.store.getConversation(userId);
    if (!conversation) return undefined;
    const r = tracked.request;
    const locale = conversation.locale;
    const what = `${productName(r.source)} · ${plain(r.resourceIds[0] ? describeResource(r.resourceIds[0], locale) : r.requestId)}`;
    const text = t(locale, r.source === 'm365' ? 'info.m365' : 'info.azure', { what, count: approverCount });
    const card = noticeCard(t(locale, 'info.title'), text, 'accent');
    return this.messenger.postCard(conversation, card, t(locale, 'info.summary', { product: productName(r.source) }));
  }
}
