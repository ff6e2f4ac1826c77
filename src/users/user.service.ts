import type { AccountSettings } from '../config';
import { ApiError, badInput, unauthenticated } from '../common/errors';
import type { Scope } from '../common/scope';
import type { PreparedStatements } from '../db/prepared';
import { assertOneScript, normalizeName } from '../naming/name-characters';
import { AccountThrottle } from './account-throttle';
import { hashPassword, verifyPassword } from './passwords';
import type { SessionGuard } from './session-guard';
import { SessionRepository } from './session.repository';
import { issueToken, type TokenConfig } from './tokens';
import { UserRepository, type UserRow } from './user.repository';

const USERNAME = /^[\p{L}\p{N}_.-]{3,80}$/u;

export interface AuthPayload {
  token: string;
  user: UserRow;
}

/** What accounts need beyond the operation's scope: one per process. */
export interface AccountDeps {
  tokens: TokenConfig;
  sessions: SessionGuard;
  accounts: AccountSettings;
}

export class UserService {
  private readonly users: UserRepository;
  private readonly throttle: AccountThrottle;

  constructor(
    private readonly scope: Pick<Scope, 'db' | 'viewerId' | 'sessionId' | 'clientAddress' | 'loaders'>,
    private readonly deps: AccountDeps,
  ) {
    this.users = new UserRepository(scope.db);
    this.throttle = new AccountThrottle(scope.db, deps.accounts, scope.clientAddress);
  }

  async signUp(rawUsername: string, password: string): Promise<AuthPayload> {
    const username = canonicalUsername(rawUsername);
    checkPassword(password);
    const attempt = await this.throttle.beforeSignUp(username);
    const passwordHash = await hashPassword(password);
    const payload = await this.withNewSession(async (db) => {
      const user = await new UserRepository(db).insert(username, passwordHash);
      if (!user) throw new ApiError('NAME_TAKEN', `The username ${username} is already taken`);
      return user;
    });
    await attempt.succeeded();
    return payload;
  }

  async signIn(rawUsername: string, password: string): Promise<AuthPayload> {
    const username = rawUsername.normalize('NFKC').trim();
    const attempt = await this.throttle.beforePasswordCheck(username);
    const found = await this.users.findCredentials(username);
    // verifyPassword does the same work for an unknown user, so timing does not tell usernames apart.
    const valid = await verifyPassword(password, found?.passwordHash);
    if (!found || !valid) throw unauthenticated('Wrong username or password');
    await attempt.succeeded();
    return this.withNewSession(async () => ({ id: found.id, username: found.username }));
  }

  /**
   * Checks the current password (throttled as signIn is, on the same username), stores the new one and
   * revokes every session of the user, this one included: only the returned token is valid afterwards.
   */
  async changePassword(currentPassword: string, newPassword: string): Promise<AuthPayload> {
    const userId = this.requireViewer();
    checkPassword(newPassword);
    const found = await this.users.findCredentialsById(userId);
    if (!found?.passwordHash) throw unauthenticated();
    const attempt = await this.throttle.beforePasswordCheck(found.username);
    if (!(await verifyPassword(currentPassword, found.passwordHash))) {
      throw badInput('The current password is wrong', { field: 'currentPassword' });
    }
    await attempt.succeeded();
    const passwordHash = await hashPassword(newPassword);
    return this.withNewSession(async (db) => {
      if (!(await new UserRepository(db).replacePasswordHash(userId, found.passwordHash!, passwordHash))) {
        throw unauthenticated('The password was changed meanwhile; sign in again');
      }
      await new SessionRepository(db).revokeAll(userId);
      return { id: found.id, username: found.username };
    }, { revokedOthers: true });
  }

  /** Revokes this token's session, or every session of the user: their tokens are refused by every process. */
  async signOut(everywhere: boolean): Promise<boolean> {
    const userId = this.requireViewer();
    const sessions = new SessionRepository(this.scope.db);
    await (everywhere ? sessions.revokeAll(userId) : sessions.revoke(this.scope.sessionId!));
    this.deps.sessions.sessionsRevoked(userId);
    return true;
  }

  async viewer(): Promise<UserRow | null> {
    return this.scope.viewerId === null ? null : ((await this.scope.loaders.user.load(this.scope.viewerId)) ?? null);
  }

  /** The signed-in user's id; UNAUTHENTICATED for anonymous callers. */
  requireViewer(): number {
    if (this.scope.viewerId === null) throw unauthenticated();
    return this.scope.viewerId;
  }

  /**
   * `write`, then a session for the user it returns, in one unit of work; the token names that session.
   * `revokedOthers`: `write` revoked the user's sessions, which this process forgets before it remembers the new one.
   */
  private async withNewSession(write: (db: PreparedStatements) => Promise<UserRow>, { revokedOthers = false } = {}): Promise<AuthPayload> {
    const { user, issued } = await this.scope.db.transaction(async (db) => {
      const user = await write(db);
      const issued = issueToken(this.deps.tokens, user.id);
      await new SessionRepository(db).insert(issued.sessionId, user.id, issued.expiresAt);
      return { user, issued };
    });
    if (revokedOthers) this.deps.sessions.sessionsRevoked(user.id);
    this.deps.sessions.remember(issued.sessionId, user.id);
    return { token: issued.token, user };
  }
}

function canonicalUsername(raw: string): string {
  const username = normalizeName(raw, 'username').trim();
  if (!USERNAME.test(username)) {
    throw badInput('A username is 3–80 characters: letters, digits, "_", "-" and "."');
  }
  assertOneScript(username, 'username');
  return username;
}

function checkPassword(password: string): void {
  const length = [...password].length;
  if (length < 8 || length > 200) throw badInput('A password is 8–200 characters');
}
