import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it, vi } from 'vitest';
import { credentialsFromAuthorization, issueToken } from '../../src/users/tokens';

const config = { jwtSecret: 'tokens-test-secret', tokenTtlSeconds: 60 };

describe('token verification', () => {
  it('keeps refusing a token that differs from a verified one only in its signature', () => {
    const { token, sessionId } = issueToken(config, 7);
    expect(credentialsFromAuthorization(config, `Bearer ${token}`)).toEqual({ userId: 7, sessionId });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${jwt.sign({}, 'another-secret').split('.')[2]}`;
    expect(() => credentialsFromAuthorization(config, `Bearer ${forged}`)).toThrow('The token is invalid');
    expect(credentialsFromAuthorization(config, `Bearer ${token}`)).toEqual({ userId: 7, sessionId });
  });

  it('does not accept a token verified with one secret under another', () => {
    const { token } = issueToken(config, 8);
    expect(credentialsFromAuthorization(config, `Bearer ${token}`)?.userId).toBe(8);
    expect(() => credentialsFromAuthorization({ ...config, jwtSecret: 'rotated-secret' }, `Bearer ${token}`)).toThrow('The token is invalid');
  });

  it('checks the expiry of an already verified token on every use', () => {
    const now = Date.now();
    const token = jwt.sign({ exp: Math.floor(now / 1000) + 2 }, config.jwtSecret, { subject: '9', jwtid: randomUUID() });
    expect(credentialsFromAuthorization(config, `Bearer ${token}`)?.userId).toBe(9);
    const later = vi.spyOn(Date, 'now').mockReturnValue(now + 3000);
    try {
      expect(() => credentialsFromAuthorization(config, `Bearer ${token}`)).toThrow('The token has expired; sign in again');
    } finally {
      later.mockRestore();
    }
  });

  it('refuses a token without a session id: it could never be revoked', () => {
    const token = jwt.sign({}, config.jwtSecret, { subject: '10', expiresIn: 60 });
    expect(() => credentialsFromAuthorization(config, `Bearer ${token}`)).toThrow('The token is invalid');
    const notAnId = jwt.sign({}, config.jwtSecret, { subject: '10', expiresIn: 60, jwtid: 'me' });
    expect(() => credentialsFromAuthorization(config, `Bearer ${notAnId}`)).toThrow('The token is invalid');
  });

  it('names the session it was issued for, and expires when the session does', () => {
    const issued = issueToken(config, 11);
    const claims = jwt.decode(issued.token) as jwt.JwtPayload;
    expect(claims.jti).toBe(issued.sessionId);
    expect(claims.exp! * 1000).toBe(issued.expiresAt.getTime());
  });
});
