import assert from 'node:assert/strict';
import { microsoftSupportLink } from '../../src/domain/support-links';

describe('support-case links', () => {
  const kept = [
    'https://portal.azure.com/#resource/subscriptions/s/providers/Microsoft.Support/supportTickets/123',
    'https://PORTAL.AZURE.COM/#blade/x',
    'https://portal.azure.us/#blade/x',
    'https://admin.microsoft.com/#/support/requests/123',
    'https://support.microsoft.com/support/case/123',
    'https://portal.azure.com:443/#blade/x',
    'https://portal.azure.com#/blade/x',
  ];
  for (const url of kept) it(`links to ${url}`, () => assert.equal(microsoftSupportLink(url), url));

  const dropped = [
    'https://portal.azure.com.evil.example/#blade/x',
    'https://evil.example/portal.azure.com',
    'http://portal.azure.com/#blade/x',
    'https://user@portal.azure.com/',
    'https://portal.azure.com@evil.example/',
    'https://portal.azure.com:8443/',
    'https://xn--portl-azure-com.example/',
    'javascript:alert(1)',
    'not a url',
    '',
  ];
  for (const url of dropped) it(`shows ${JSON.stringify(url)} as text`, () => assert.equal(microsoftSupportLink(url), undefined));
});
