const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Plain HTTP is only ever allowed to an emulator on this machine: keys and tokens must not cross a network in clear. */
export function isLoopbackHttp(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname);
  } catch {
    return false;
  }
}

/** The Table service URL an Azure Storage connection string points at, or undefined when it names none. */
export function tableEndpointOf(connectionString: string): string | undefined {
  const parts = new Map(connectionString.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    return [p.slice(0, eq).toLowerCase(), p.slice(eq + 1)] as const;
  }));
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return 'http://127.0.0.1:10002/devstoreaccount1';
  const explicit = parts.get('tableendpoint');
  if (explicit) return explicit;
  const account = parts.get('accountname');
  if (!account) return undefined;
  return `${parts.get('defaultendpointsprotocol') ?? 'https'}://${account}.table.${parts.get('endpointsuffix') ?? 'core.windows.net'}`;
}
