/**
 * A link from upstream goes onto a card as markdown and a button: only well-formed https URLs pass,
 * re-serialised, with the characters that could end a markdown link percent-encoded.
 */
export function safeLink(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return undefined;
  return url.href.replace(/[()[\]<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
