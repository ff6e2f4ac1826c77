import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { badCredentials } from '../common/errors';

export interface TokenConfig {
  jwtSecret: string;
  tokenTtlSeconds: number;
}

const ALGORITHM = 'HS256';

/** Verified tokens kept per secret, beyond which the cache starts over. */
const MAX_VERIFIED_TOKENS = 10_000;

interface VerifiedToken {
  subject: unknown;
  /** `exp` in seconds since the epoch, as signed. */
  expiresAt: number;
}

/**
 * What verifying with one secret needs, made once per secret: the secret as a `KeyObject` (given a string,
 * `jwt.verify` first tries to parse it as a PEM public key on every call) and the tokens already verified
 * with it. A client sends the same token with every request; checking its signature once is enough, its
 * expiry is checked on every use.
 */
class Verifier {
  readonly key: KeyObject;
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  /** The token's subject; throws jsonwebtoken's errors for a bad signature or an expired token. */
  subjectOf(token: string): unknown {
    const known = this.verified.get(token);
    if (known) {
      if (Math.floor(Date.now() / 1000) < known.expiresAt) return known.subject;
      this.verified.delete(token);
    }
    const payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM] }) as jwt.JwtPayload;
    if (typeof payload.exp === 'number') {
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(token, { subject: payload.sub, expiresAt: payload.exp });
    }
    return payload.sub;
  }
}

const verifiers = new Map<string, Verifier>();
function verifierFor(secret: string): Verifier {
  let verifier = verifiers.get(secret);
  if (!verifier) verifiers.set(secret, (verifier = new Verifier(secret)));
  return verifier;
}

export function issueToken(config: TokenConfig, userId: number): string {
  return jwt.sign({}, config.jwtSecret, { algorithm: ALGORITHM, subject: String(userId), expiresIn: config.tokenTtlSeconds });
}

/**
 * The user id of a `Bearer` authorization value; no value is an anonymous caller. A malformed, forged or
 * expired token is UNAUTHENTICATED rather than anonymous: the client believes it is signed in.
 */
export function userIdFromAuthorization(config: TokenConfig, authorization: string | undefined): number | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw badCredentials('The Authorization header must be "Bearer <token>"');
  let subject: unknown;
  try {
    subject = verifierFor(config.jwtSecret).subjectOf(match[1]);
  } catch (error) {
    throw badCredentials(error instanceof jwt.TokenExpiredError ? 'The token has expired; sign in again' : 'The token is invalid');
  }
  const id = Number(subject);
  if (!Number.isSafeInteger(id) || id <= 0) throw badCredentials('The token is invalid');
  return id;
}
