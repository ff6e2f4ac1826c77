import { ApiError, badInput, unauthenticated } from '../common/errors';
import type { Scope } from '../common/scope';
import { assertOneScript, normalizeName } from '../naming/name-characters';
import { hashPassword, verifyPassword } from './passwords';
import { issueToken, type TokenConfig } from './tokens';
import { UserRepository, type UserRow } from './user.repository';

const USERNAME = /^[\p{L}\p{N}_.-]{3,80}$/u;

export interface AuthPayload {
  token: string;
  user: UserRow;
}

export class UserService {
  private readonly users: UserRepository;

  constructor(
    private readonly scope: Pick<Scope, 'db' | 'viewerId' | 'loaders'>,
    private readonly tokens: TokenConfig,
  ) {
    this.users = new UserRepository(scope.db);
  }

  async signUp(rawUsername: string, password: string): Promise<AuthPayload> {
    const username = canonicalUsername(rawUsername);
    checkPassword(password);
    const user = await this.users.insert(username, await hashPassword(password));
    if (!user) throw new ApiError('NAME_TAKEN', `The username ${username} is already taken`);
    return { token: issueToken(this.tokens, user.id), user };
  }

  async signIn(rawUsername: string, password: string): Promise<AuthPayload> {
    const found = await this.users.findCredentials(rawUsername.normalize('NFKC').trim());
    // verifyPassword does the same work for an unknown user, so timing does not tell usernames apart.
    const valid = await verifyPassword(password, found?.passwordHash);
    if (!found || !valid) throw unauthenticated('Wrong username or password');
    return { token: issueToken(this.tokens, found.id), user: { id: found.id, username: found.username } };
  }

  async viewer(): Promise<UserRow | null> {
    return this.scope.viewerId === null ? null : ((await this.scope.loaders.user.load(this.scope.viewerId)) ?? null);
  }

  /** The signed-in user's id; UNAUTHENTICATED for anonymous callers. */
  requireViewer(): number {
    if (this.scope.viewerId === null) throw unauthenticated();
    return this.scope.viewerId;
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
