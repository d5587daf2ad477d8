/**
 * Microsoft's own places for a support case: the Azure portal (public and national clouds), the Microsoft 365
 * admin center and Microsoft support. A request record is Microsoft's, but its link is text a person
 * typed somewhere; a link to anywhere else could lead an approver to a look-alike page.
 */
const MICROSOFT_SUPPORT_HOSTS = new Set([
  'portal.azure.com',
  'ms.portal.azure.com',
  'portal.azure.us',
  'portal.azure.cn',
  'admin.microsoft.com',
  'admin.cloud.microsoft',
  'support.microsoft.com',
  'support.serviceshub.microsoft.com',
]);

/** Where Microsoft 365 Customer Lockbox requests are decided by hand (Support > Customer Lockbox Requests); an unverified deep link. */
export const M365_LOCKBOX_PAGE = 'https://admin.microsoft.com/#/support/CustomerLockbox';
/** The Azure portal's Customer Lockbox blade (an unverified deep link; the portal opens its home page if it moves). */
export const AZURE_LOCKBOX_PAGE = 'https://portal.azure.com/#view/Microsoft_Azure_Lockbox/LockboxMenu/~/Overview';

const HOST_START = 'https://'.length;

/** The link when it is https on one of Microsoft's support hosts; otherwise undefined, and the case number shows as text. */
export function microsoftSupportLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  // The usual link needs no URL parser: https, then one of the hosts exactly as listed, then its path (no user, no port).
  if (url.startsWith('https://')) {
    const hostEnd = url.indexOf('/', HOST_START);
    if (hostEnd > HOST_START && MICROSOFT_SUPPORT_HOSTS.has(url.slice(HOST_START, hostEnd))) return url;
  }
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && !parsed.username && !parsed.password && !parsed.port && MICROSOFT_SUPPORT_HOSTS.has(parsed.hostname.toLowerCase()) ? url : undefined;
  } catch {
    return undefined;
  }
}
