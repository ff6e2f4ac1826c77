import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** Verified tokens kept, beyond which the cache starts over (as the service bounds its own). */
const MAX_VERIFIED = 10_000;

export class FloorAuthError extends Error {}

/**
 * Who is asking, from the `Authorization: Bearer <jwt>` header, the service's way: the signature is checked
 * once per token (a client sends the same one with every request), its expiry on every use. No header is
 * an anonymous viewer (null); anything malformed, forged or expired is refused.
 */
export class FloorViewers {
  private readonly key: KeyObject;
  private readonly verified = new Map<string, { userId: number; expiresAt: number }>();

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  viewerOf(authorization: string | undefined): number | null {
    if (!authorization) return null;
    const token = /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1];
    if (!token) throw new FloorAuthError('The Authorization header must be "Bearer <token>"');
    const known = this.verified.get(token);
    if (known && Date.now() / 1000 < known.expiresAt) return known.userId;
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch {
      throw new FloorAuthError('The token is invalid or has expired');
    }
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || userId <= 0) throw new FloorAuthError('The token is invalid');
    if (typeof payload.exp === 'number') {
      if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
      this.verified.set(token, { userId, expiresAt: payload.exp });
    }
    return userId;
  }
}
