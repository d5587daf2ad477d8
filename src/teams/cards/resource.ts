import { t } from '../i18n';

const NESTED = /\/?subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)/i;
const GROUP = /^\/?subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/?$/i;
const SUBSCRIPTION = /^\/?(subscriptions\/)?[0-9a-f-]{36}\/?$/i;

/** ARM resource ids are too long for a phone; people know their resources by name and resource group. */
export function describeResource(id: string, locale?: string): string {
  const nested = NESTED.exec(id);
  if (nested) return t(locale, 'resource.inGroup', { name: nested[3]!, group: nested[2]! });
  const group = GROUP.exec(id);
  if (group) return t(locale, 'resource.group', { group: group[2]! });
  if (SUBSCRIPTION.test(id)) return t(locale, 'resource.subscription');
  return id;
}

/** The shortest name that still says which resource: "VM-WEB-02", "resource group RG-PAY", an address as written. */
export function resourceName(id: string, locale?: string): string {
  const nested = NESTED.exec(id);
  if (nested) return nested[3]!;
  const group = GROUP.exec(id);
  if (group) return t(locale, 'resource.group', { group: group[2]! });
  if (SUBSCRIPTION.test(id)) return t(locale, 'resource.subscription');
  return id;
}
