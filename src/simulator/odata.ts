/**
 * Parses `a eq 'x' and b eq 'y'`, the only OData filter form these APIs take here.
 * Answers undefined for anything else, so callers reject it rather than guess.
 */
export function parseEqualities(filter: string): Map<string, string> | undefined {
  const clause = /^\s*([A-Za-z][\w/]*)\s+eq\s+'((?:[^']|'')*)'\s*/;
  const result = new Map<string, string>();
  let rest = filter;
  for (;;) {
    const m = clause.exec(rest);
    if (!m) return undefined;
    result.set((m[1] as string).toLowerCase(), (m[2] as string).replace(/''/g, "'"));
    rest = rest.slice(m[0].length);
    if (rest.length === 0) return result;
    const and = /^and\s+/i.exec(rest);
    if (!and) return undefined;
    rest = rest.slice(and[0].length);
  }
}

/** Reads a query parameter whatever the case of its name (`$filter`, `$Filter`). */
export function queryParam(url: URL, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === lower) return v;
  return undefined;
}
