import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/** How a test token is spoiled; `valid` is the one Teams would send. */
export type TokenFlaw =
  | 'valid'
  | 'unknown-key'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'expired'
  | 'not-endorsed'
  | 'forged-signature'
  | 'unsigned'
  | 'not-yet-valid'
  | 'other-service-url';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

/** The bot's request for its own token, as the fake login endpoint received it. */
export interface TokenRequest {
  path: string;
  grantType?: string;
  clientId?: string;
  scope?: string;
  /** Whether client_id and client_secret were the bot's. */
  authenticated: boolean;
}

function key(kid: string, endorsements?: string[]): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, jwk: { kty: 'RSA', use: 'sig', kid, n, e, ...(endorsements ? { endorsements } : {}) } };
}

/** RSA keys take a while to make; one set serves every server in the process. */
let keys: Record<'teams' | 'webchat' | 'rogue', SigningKey> | undefined;

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** An RS256 JWT, built by hand so nothing in the test shares code with what verifies it. */
export function signJwt(claims: Record<string, unknown>, signer: { kid: string; privateKey: KeyObject }, alg: 'RS256' | 'none' = 'RS256'): string {
  const body = `${base64url(JSON.stringify({ alg, kid: signer.kid, typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return alg === 'none' ? `${body}.` : `${body}.${base64url(sign('sha256', Buffer.from(body), signer.privateKey))}`;
}

/**
 * Stands in for the Bot Framework's side of authentication, on 127.0.0.1:
 * - the OpenID metadata (`/.well-known/openid-configuration`) and JWKS the bot reads the channel's signing keys from,
 *   with one key endorsed for `msteams` and one only for `webchat`;
 * - a signer for the tokens Teams puts on each activity, with a knob per way a token can be wrong;
 * - the login endpoint (`{loginUrl}/oauth2/v2.0/token`) the bot gets its own token from for outbound calls.
 */
export async function startOpenIdServer(bot: { appId: string; password: string }) {
  const { teams, webchat, rogue } = (keys ??= {
    teams: key('teams-signing-key', ['msteams']),
    webchat: key('webchat-signing-key', ['webchat']),
    rogue: key('rogue-signing-key', ['msteams']),
  });
  const tokenRequests: TokenRequest[] = [];
  const issuedTokens: string[] = [];
  let metadataReads = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '').split('?')[0]!;
      if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
        metadataReads++;
        return json(200, { issuer, jwks_uri: `${url}/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['private_key_jwt'] });
      }
      if (req.method === 'GET' && path === '/keys') return json(200, { keys: [teams.jwk, webchat.jwk] });
      if (req.method === 'POST' && path.endsWith('/oauth2/v2.0/token')) {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const authenticated = form.get('client_id') === bot.appId && form.get('client_secret') === bot.password && form.get('grant_type') === 'client_credentials';
        tokenRequests.push({ path, grantType: form.get('grant_type') ?? undefined, clientId: form.get('client_id') ?? undefined, scope: form.get('scope') ?? undefined, authenticated });
        if (!authenticated) return json(401, { error: 'invalid_client', error_description: 'Unknown client or wrong secret.' });
        const accessToken = `fake-bot-token-${issuedTokens.length + 1}-${randomBytes(8).toString('hex')}`;
        issuedTokens.push(accessToken);
        return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
      }
      json(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const issuer = `${url}/bot-framework`;

  /** The `Authorization` header Teams would send with an activity for `serviceUrl`, spoiled as `flaw` says. */
  function authorization(serviceUrl: string, flaw: TokenFlaw = 'valid'): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { iss: issuer, aud: bot.appId, nbf: now - 60, iat: now - 60, exp: now + 3600, serviceurl: serviceUrl };
    let signer: { kid: string; privateKey: KeyObject } = teams;
    let alg: 'RS256' | 'none' = 'RS256';
    switch (flaw) {
      case 'unknown-key': signer = rogue; break;
      case 'wrong-audience': claims.aud = '99999999-9999-4999-8999-999999999999'; break;
      case 'wrong-issuer': claims.iss = 'https://issuer.invalid/'; break;
      // Past the five minutes of clock skew botbuilder tolerates.
      case 'expired': Object.assign(claims, { nbf: now - 7200, iat: now - 7200, exp: now - 3600 }); break;
      case 'not-endorsed': signer = webchat; break;
      case 'forged-signature': signer = { kid: teams.kid, privateKey: rogue.privateKey }; break;
      case 'unsigned': alg = 'none'; break;
      case 'not-yet-valid': Object.assign(claims, { nbf: now + 3600, iat: now + 3600, exp: now + 7200 }); break;
      case 'other-service-url': claims.serviceurl = 'http://127.0.0.1:9/'; break;
      case 'valid': break;
    }
    return `Bearer ${signJwt(claims, signer, alg)}`;
  }

  return {
    url,
    /** BOT_OPENID_METADATA_URL */
    metadataUrl: `${url}/.well-known/openid-configuration`,
    /** BOT_TOKEN_ISSUER */
    issuer,
    /** BOT_LOGIN_URL: the authority, tenant included, as botbuilder's ToChannelFromBotLoginUrl. */
    loginUrl: `${url}/botframework.com`,
    authorization,
    tokenRequests,
    /** Access tokens handed to the bot, oldest first. */
    issuedTokens,
    metadataReads: () => metadataReads,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type OpenIdServer = Awaited<ReturnType<typeof startOpenIdServer>>;

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/**
 * Makes every connection this process tries to open off this machine fail at once, and lists them, so
 * a test fails instead of reaching Microsoft (or anyone). `restore()` puts net.Socket back.
 */
export function refuseConnectionsOffThisMachine(): { blocked: string[]; restore(): void } {
  const blocked: string[] = [];
  const connect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as { host?: unknown; port?: unknown; path?: string };
    const host = typeof options.host === 'string' ? options.host : 'localhost';
    if (!options.path && !LOOPBACK.includes(host)) {
      blocked.push(`${host}:${String(options.port)}`);
      process.nextTick(() => this.destroy(new Error(`Blocked a connection to ${host} from a test`)));
      return this;
    }
    return connect.apply(this, args);
  } as typeof net.Socket.prototype.connect;
  return { blocked, restore: () => void (net.Socket.prototype.connect = connect as typeof net.Socket.prototype.connect) };
}
