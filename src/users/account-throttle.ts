import { createHash } from 'node:crypto';
import type { AccountSettings, ThrottleRule } from '../config';
import { tooManyRequests } from '../common/errors';
import type { PreparedStatements } from '../db/prepared';
import { AuthThrottleRepository } from './auth-throttle.repository';

/** What `beforePasswordCheck` let through: report a right password, so that it does not count as a failure. */
export interface PasswordAttempt {
  succeeded(): Promise<void>;
}

/**
 * The throttles of SPEC section 15, applied before any password is hashed: a refused call costs one
 * statement and no scrypt. Keys hold a SHA-256 of the username or address, never the value itself (people
 * type passwords into the username field), and a username is throttled whether it exists or not.
 */
export class AccountThrottle {
  private readonly repository: AuthThrottleRepository;

  constructor(
    db: PreparedStatements,
    private readonly settings: AccountSettings,
    /** Undefined when the caller has no network address (a service used in-process): address rules do not apply. */
    private readonly clientAddress: string | undefined,
  ) {
    this.repository = new AuthThrottleRepository(db);
  }

  /**
   * Takes an attempt from the client's address, then from the username; TOO_MANY_REQUESTS (with
   * `retryAfter`) when either is locked, giving back what was taken, so a refused call counts nowhere.
   */
  async beforePasswordCheck(username: string): Promise<PasswordAttempt> {
    const userKey = key('signin-username', username);
    const addressKeys = await this.take([
      ...this.addressRule('signin-address', this.settings.signInPerAddress),
      [userKey, this.settings.signInPerUsername],
    ]);
    return { succeeded: () => this.repository.succeeded(userKey, addressKeys.filter((taken) => taken !== userKey)) };
  }

  /**
   * Per address (every call counts), and per username as signIn counts them: a taken username is refused only
   * after the hash, and a sign-up that succeeds forgets its username's count.
   */
  async beforeSignUp(username: string): Promise<PasswordAttempt> {
    const userKey = key('signup-username', username);
    await this.take([...this.addressRule('signup-address', this.settings.signUpPerAddress), [userKey, this.settings.signInPerUsername]]);
    return { succeeded: () => this.repository.succeeded(userKey, []) };
  }

  /** The keys taken, in order; throws on the first locked one. */
  private async take(rules: [string, ThrottleRule][]): Promise<string[]> {
    const taken: string[] = [];
    for (const [name, rule] of rules) {
      if (rule.limit === 0) continue;
      const retryAfter = await this.repository.take(name, rule, this.settings.maxLockSeconds);
      if (retryAfter > 0) {
        await this.repository.giveBack(taken);
        throw tooManyRequests(retryAfter);
      }
      taken.push(name);
    }
    return taken;
  }

  private addressRule(kind: string, rule: ThrottleRule): [string, ThrottleRule][] {
    return this.clientAddress === undefined ? [] : [[key(kind, this.clientAddress), rule]];
  }
}

function key(kind: string, value: string): string {
  return `${kind}:${createHash('sha256').update(value).digest('base64url')}`;
}
