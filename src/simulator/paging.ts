import { ReplyError, type RequestContext } from './router';

export const SKIP_TOKEN = '$skiptoken';

export interface Page<T> {
  items: T[];
  /** Absolute URL of the next page, when there is one. */
  nextLink?: string;
}

/** The token names the last item served, so removals or additions between pages skip and repeat nothing. */
function encodeSkipToken(afterSeq: number): string {
  return Buffer.from(JSON.stringify({ after: afterSeq }), 'utf8').toString('base64url');
}

function decodeSkipToken(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed && Number.isInteger(parsed.after)) return parsed.after as number;
  } catch {
    return undefined;
  }
  return undefined;
}

/** Keeps `$filter`, `$select` and the like readable in links: `$` stays, spaces become %20. */
function encodeQuery(params: [string, string][]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k).replace(/%24/g, '$')}=${encodeURIComponent(v)}`).join('&');
}

export function nextLinkFor(ctx: Pick<RequestContext, 'url' | 'origin'>, token: string): string {
  const kept = [...ctx.url.searchParams.entries()].filter(([k]) => k.toLowerCase() !== SKIP_TOKEN);
  return `${ctx.origin}${ctx.url.pathname}?${encodeQuery([...kept, [SKIP_TOKEN, token]])}`;
}

/**
 * Serves one page of `items` (already in `seq` order). `badToken` builds the error reply, in the
 * caller's wire style, for a token this server did not hand out.
 */
export function paginate<T extends { seq: number }>(
  ctx: Pick<RequestContext, 'url' | 'origin'>,
  items: T[],
  pageSize: number,
  badToken: () => ReplyError,
): Page<T> {
  const raw = [...ctx.url.searchParams.entries()].find(([k]) => k.toLowerCase() === SKIP_TOKEN)?.[1];
  let remaining = items;
  if (raw !== undefined) {
    const after = decodeSkipToken(raw);
    if (after === undefined) throw badToken();
    remaining = items.filter((item) => item.seq > after);
  }
  const pageItems = remaining.slice(0, pageSize);
  const last = pageItems[pageItems.length - 1];
  if (remaining.length <= pageSize || last === undefined) return { items: pageItems };
  return { items: pageItems, nextLink: nextLinkFor(ctx, encodeSkipToken(last.seq)) };
}
