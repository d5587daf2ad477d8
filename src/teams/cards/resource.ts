const NESTED = /\/?subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)/i;
const GROUP = /^\/?subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/?$/i;
const SUBSCRIPTION = /^\/?(subscriptions\/)?[0-9a-f-]{36}\/?$/i;

/** ARM resource ids are too long for a phone; people know their resources by name and resource group. */
export function describeResource(id: string): string {
  const nested = NESTED.exec(id);
  if (nested) return `${nested[3]} (resource group ${nested[2]})`;
  const group = GROUP.exec(id);
  if (group) return `Resource group ${group[2]}`;
  if (SUBSCRIPTION.test(id)) return 'The whole subscription';
  return id;
}
