/**
 * A real OpenID Connect provider for the tests (`oidc-provider`, the certified implementation), on a free loopback
 * port: one confidential client, accounts given by the test (each an email address the provider vouches for, verified
 * or not), and the package's development login and consent pages, which a test walks through with fetch. Any password
 * signs in as the account named; the account's id is its login.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpAccount {
  email: string;
  emailVerified: boolean;
  /** A claim the provider adds to the ID token, which the API must never read. */
  role?: string;
}

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers the client's redirect URL (known once the API listens). */
  start(redirectUrl: string): void;
  stop(): Promise<void>;
}

export async function startIdentityProvider(accounts: Record<string, IdpAccount>): Promise<IdentityProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'ovop-engine';
  const clientSecret = 'rahasia-uji-oidc-0123456789abcdef';
  return {
    issuer,
    clientId,
    clientSecret,
    start(redirectUrl: string) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUrl],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        claims: { openid: ['sub', 'role'], email: ['email', 'email_verified'] },
        cookies: { keys: ['kunci-cookie-uji-oidc'] },
        pkce: { required: () => true },
        findAccount: (_ctx: unknown, id: string) => {
          const account = accounts[id];
          if (!account) return undefined;
          return {
            accountId: id,
            claims: async () => ({
              sub: id,
              email: account.email,
              email_verified: account.emailVerified,
              ...(account.role ? { role: account.role } : {}),
            }),
          };
        },
      });
      server.on('request', provider.callback());
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
