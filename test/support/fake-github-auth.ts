/**
 * Who a request to the fake GitHub is: an App (a JWT signed with the App's private key, checked
 * against the public key the test gives), an installation (a token the fake issued, limited to
 * some repositories and permissions, until it expires), or a user (a plain token the test registered).
 */
import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto';

export interface FakeApp {
  id: number;
  /** PEM public key of the App's private key */
  publicKey: string;
  slug?: string;
  name?: string;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  expiresAt: Date;
  /** repository names (not owner/name) it is limited to; undefined: every repository of the installation */
  repositories?: string[];
  permissions?: Record<string, string>;
}

export type Caller =
  | { kind: 'app'; appId: number }
  | { kind: 'installation'; token: IssuedToken }
  | { kind: 'user'; login: string }
  | { kind: 'anonymous' }
  | { kind: 'invalid'; reason: string };

export class FakeCredentials {
  private readonly publicKey: KeyObject | undefined;
  private readonly issued = new Map<string, IssuedToken>();
  /** token → login */
  readonly userTokens = new Map<string, string>();
  /** lifetime of issued installation tokens (GitHub: one hour) */
  tokenLifetimeMs = 60 * 60 * 1000;

  constructor(readonly app: FakeApp | undefined) {
    this.publicKey = app ? createPublicKey(app.publicKey) : undefined;
  }

  /** Identifies the caller from an `authorization` header (`Bearer <jwt|token>`, `token <token>`, or Basic `x-access-token:<token>`). */
  identify(authorization: string | undefined, now = Date.now()): Caller {
    if (!authorization) return { kind: 'anonymous' };
    const [scheme = '', value = ''] = authorization.split(/\s+/, 2);
    let credential = value;
    if (scheme.toLowerCase() === 'basic') {
      const [user, password = ''] = Buffer.from(value, 'base64').toString('utf8').split(':', 2);
      credential = user === 'x-access-token' ? password : '';
    }
    if (credential.split('.').length === 3) return this.verifyJwt(credential, now);
    const login = this.userTokens.get(credential);
    if (login) return { kind: 'user', login };
    const token = this.issued.get(credential);
    if (!token) return { kind: 'invalid', reason: 'Bad credentials' };
    if (token.expiresAt.getTime() <= now) return { kind: 'invalid', reason: 'Bad credentials (token expired)' };
    return { kind: 'installation', token };
  }

  issue(installationId: number, options: { repositories?: string[]; permissions?: Record<string, string> }, now = Date.now()): IssuedToken {
    const token: IssuedToken = {
      token: `ghs_${randomBytes(18).toString('hex')}`,
      installationId,
      expiresAt: new Date(now + this.tokenLifetimeMs),
      ...(options.repositories ? { repositories: options.repositories } : {}),
      ...(options.permissions ? { permissions: options.permissions } : {}),
    };
    this.issued.set(token.token, token);
    return token;
  }

  /** Every installation token issued so far, oldest first. */
  issuedTokens(): IssuedToken[] {
    return [...this.issued.values()];
  }

  private verifyJwt(jwt: string, now: number): Caller {
    if (!this.publicKey || !this.app) return { kind: 'invalid', reason: 'A JSON web token could not be decoded (no App is configured)' };
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(this.publicKey, Buffer.from(signature, 'base64url'))) {
      return { kind: 'invalid', reason: 'A JSON web token could not be decoded' };
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; iat?: number; exp?: number };
    const seconds = now / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= seconds) return { kind: 'invalid', reason: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
    if (claims.exp - (claims.iat ?? 0) > 600 + 60) return { kind: 'invalid', reason: "'Expiration time' claim ('exp') is too far in the future" };
    if (Number(claims.iss) !== this.app.id) {
      return { kind: 'invalid', reason: `Integration not found (the JWT names App ${String(claims.iss)})` };
    }
    return { kind: 'app', appId: this.app.id };
  }
}
