import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { badCredentials } from '../common/errors';

export interface TokenConfig {
  jwtSecret: string;
  tokenTtlSeconds: number;
}

const ALGORITHM = 'HS256';

/**
 * The secret as a `KeyObject`, made once: given a string, `jwt.verify` first tries to parse it as a PEM
 * public key on every call, which cost more CPU than the rest of a simple request.
 */
const keys = new Map<string, KeyObject>();
function verificationKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
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
    subject = (jwt.verify(match[1], verificationKey(config.jwtSecret), { algorithms: [ALGORITHM] }) as jwt.JwtPayload).sub;
  } catch (error) {
    throw badCredentials(error instanceof jwt.TokenExpiredError ? 'The token has expired; sign in again' : 'The token is invalid');
  }
  const id = Number(subject);
  if (!Number.isSafeInteger(id) || id <= 0) throw badCredentials('The token is invalid');
  return id;
}
