import jwt from 'jsonwebtoken';
import { describe, expect, it, vi } from 'vitest';
import { issueToken, userIdFromAuthorization } from '../../src/users/tokens';

const config = { jwtSecret: 'tokens-test-secret', tokenTtlSeconds: 60 };

describe('token verification', () => {
  it('keeps refusing a token that differs from a verified one only in its signature', () => {
    const token = issueToken(config, 7);
    expect(userIdFromAuthorization(config, `Bearer ${token}`)).toBe(7);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${jwt.sign({}, 'another-secret').split('.')[2]}`;
    expect(() => userIdFromAuthorization(config, `Bearer ${forged}`)).toThrow('The token is invalid');
    expect(userIdFromAuthorization(config, `Bearer ${token}`)).toBe(7);
  });

  it('does not accept a token verified with one secret under another', () => {
    const token = issueToken(config, 8);
    expect(userIdFromAuthorization(config, `Bearer ${token}`)).toBe(8);
    expect(() => userIdFromAuthorization({ ...config, jwtSecret: 'rotated-secret' }, `Bearer ${token}`)).toThrow('The token is invalid');
  });

  it('checks the expiry of an already verified token on every use', () => {
    const now = Date.now();
    const token = jwt.sign({ exp: Math.floor(now / 1000) + 2 }, config.jwtSecret, { subject: '9' });
    expect(userIdFromAuthorization(config, `Bearer ${token}`)).toBe(9);
    const later = vi.spyOn(Date, 'now').mockReturnValue(now + 3000);
    try {
      expect(() => userIdFromAuthorization(config, `Bearer ${token}`)).toThrow('The token has expired; sign in again');
    } finally {
      later.mockRestore();
    }
  });
});
