/**
 * A local stand-in for the Bot Framework's token service: OpenID metadata + JWKS on a loopback port, and RS256
 * channel tokens signed by hand with node:crypto (JWS compact form), so JWT validation runs for real without the
 * internet. Point the bot at it with {@link authEnv}.
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The issuer Bot Framework channel tokens carry (reference §6.2). */
export const CHANNEL_ISSUER = "https://api.botframework.com";

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Channels this key may sign for (the JWKS "endorsements"); botbuilder checks the activity's channelId. */
  endorsements: string[];
}

export interface OpenIdServer {
  url: string;
  /** The key the JWKS publishes and that signs tokens by default (endorsed for msteams). */
  key: SigningKey;
  /** Every path requested so far (metadata, keys, token endpoint…). */
  requests: string[];
  /** Publishes another key in the JWKS. */
  publish(key: SigningKey): void;
  close(): Promise<void>;
}

export function newSigningKey(endorsements: string[] = ["msteams"]): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey, endorsements };
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url");

export interface TokenOptions {
  /** Claims; `iat`/`nbf`/`exp` default to now / now / now + 1 h (seconds). */
  claims: Record<string, unknown>;
  /** Signs with this private key (default: the server's key). */
  signWith?: KeyObject;
  /** The kid in the header (default: the signing key's kid). */
  kid?: string;
  alg?: string;
}

/** A JWS compact token, RS256 over header.payload. */
export function signToken(key: SigningKey, options: TokenOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: options.alg ?? "RS256", typ: "JWT", kid: options.kid ?? key.kid };
  const payload = { iat: now, nbf: now, exp: now + 3600, ...options.claims };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signer = createSign("RSA-SHA256");
  signer.update(input);
  return `${input}.${b64url(signer.sign(options.signWith ?? key.privateKey))}`;
}

/** The claims Teams' channel token carries for an activity, with overrides. */
export function channelClaims(appId: string, serviceUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: CHANNEL_ISSUER, aud: appId, serviceurl: serviceUrl, ...extra };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

export async function startOpenIdServer(): Promise<OpenIdServer> {
  const key = newSigningKey();
  const keys: SigningKey[] = [key];
  const requests: string[] = [];
  let url = "";
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "";
    requests.push(`${req.method ?? "?"} ${path}`);
    req.resume();
    if (path === "/v1/.well-known/openidconfiguration") {
      send(res, 200, {
        issuer: CHANNEL_ISSUER,
        authorization_endpoint: `${url}/v1/authorize`,
        jwks_uri: `${url}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ["RS256"],
        token_endpoint_auth_methods_supported: ["private_key_jwt"],
      });
      return;
    }
    if (path === "/v1/.well-known/keys") {
      send(res, 200, {
        keys: keys.map((k) => ({ ...(k.publicKey.export({ format: "jwk" }) as object), kid: k.kid, use: "sig", endorsements: k.endorsements })),
      });
      return;
    }
    // Anything else (e.g. a token request) is recorded and refused: tests assert on `requests`.
    send(res, 404, { error: "not_found" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key,
    requests,
    publish: (k) => {
      keys.push(k);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * botbuilder's own settings that keep every auth call on the local server. Setting any of them switches botbuilder
 * to "parameterized" mode, where all are taken as given, so all are set. ToChannelFromBotLoginUrl points at a plain
 * http loopback URL: MSAL refuses an insecure authority before any network call, so an outbound token request can
 * never leave the machine (tests use deliveryMode "expectReplies" so replies come back in the HTTP response).
 */
export function authEnv(oidc: OpenIdServer, appId: string, tenantId: string): Record<string, string> {
  return {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: "app-password-never-logged-0f3c9b",
    ALLOWED_TENANT_IDS: tenantId,
    ToBotFromChannelOpenIdMetadataUrl: `${oidc.url}/v1/.well-known/openidconfiguration`,
    ToBotFromEmulatorOpenIdMetadataUrl: `${oidc.url}/v1/.well-known/openidconfiguration`,
    ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
    ToChannelFromBotLoginUrl: `${oidc.url}/botframework.com`,
    ToChannelFromBotOAuthScope: "https://api.botframework.com",
    OAuthUrl: `${oidc.url}/oauth`,
    ValidateAuthority: "false",
  };
}
