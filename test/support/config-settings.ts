/**
 * The setting names src/config.ts reads: the names passed to read()/readOptional(), to one-argument
 * helpers such as endpoint('ARM_ENDPOINT'), and read straight from env (env.BOT_PASSWORD).
 */
export function settingsReadByConfig(source: string): string[] {
  const names = new Set<string>();
  const patterns = [
    /\b(?:read|readOptional)\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /\b[a-z]\w*\(\s*['"]([A-Z][A-Z0-9_]{2,})['"]\s*\)/g,
    /\benv\.([A-Z][A-Z0-9_]*)\b/g,
    /\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) names.add(m[1] ?? '');
  return [...names].sort();
}
