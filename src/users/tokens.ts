import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
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
  /** `jti`: the token's session (`user_session.id`). */
  sessionId: unknown;
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

  /** The token's claims; throws jsonwebtoken's errors for a bad signature or an expired token. */
  claimsOf(token: string): VerifiedToken {
    const known = this.verified.get(token);
    if (known) {
      if (Math.floor(Date.now() / 1000) < known.expiresAt) return known;
      this.verified.delete(token);
    }
    const payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM] }) as jwt.JwtPayload;
    const claims = { subject: payload.sub, sessionId: payload.jti, expiresAt: payload.exp ?? Infinity };
    if (typeof payload.exp === 'number') {
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(token, claims);
    }
    return claims;
  }
}

const verifiers = new Map<string, Verifier>();
function verifierFor(secret: string): Verifier {
  let verifier = verifiers.get(secret);
  if (!verifier) verifiers.set(secret, (verifier = new Verifier(secret)));
  return verifier;
}

/** A token and the session it names, which must be stored (`SessionRepository.insert`) before the token is handed out. */
export interface IssuedToken {
  token: string;
  sessionId: string;
  /** The token's `exp`, which its session row repeats. */
  expiresAt: Date;
}

export function issueToken(config: TokenConfig, userId: number, sessionId: string = randomUUID()): IssuedToken {
  const exp = Math.floor(Date.now() / 1000) + config.tokenTtlSeconds;
  const token = jwt.sign({ exp }, config.jwtSecret, { algorithm: ALGORITHM, subject: String(userId), jwtid: sessionId });
  return { token, sessionId, expiresAt: new Date(exp * 1000) };
}

/** Who a verified token speaks for: its user, and its session, which must still exist (`SessionGuard`). */
export interface Credentials {
  userId: number;
  sessionId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The credentials of a `Bearer` authorization value; no value is an anonymous caller. A malformed, forged or
 * expired token is UNAUTHENTICATED rather than anonymous: the client believes it is signed in. So is a token
 * without a session id (issued before sign-out existed): it could not be revoked.
 */
export function credentialsFromAuthorization(config: TokenConfig, authorization: string | undefined): Credentials | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw badCredentials('The Authorization header must be "Bearer <token>"');
  let claims: VerifiedToken;
  try {
    claims = verifierFor(config.jwtSecret).claimsOf(match[1]);
  } catch (error) {
    throw badCredentials(error instanceof jwt.TokenExpiredError ? 'The token has expired; sign in again' : 'The token is invalid');
  }
  const userId = Number(claims.subject);
  const { sessionId } = claims;
  if (!Number.isSafeInteger(userId) || userId <= 0 || typeof sessionId !== 'string' || !UUID.test(sessionId)) {
    throw badCredentials('The token is invalid');
  }
  return { userId, sessionId };
}
