/**
 * Scenario (soak): virtual users, each one request at a time until the deadline: register, login,
 * me, refresh with strict rotation (every virtual user keeps only its latest refresh token), list
 * sessions, logout, and now and then a wrong password. What they open and close is kept in the world.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PASSWORD, sleep } from '../lib/common.js';
import type { SessionRecord, Send, UserRecord, World } from '../lib/soak-client.js';

const WRONG_PASSWORD = 'not-the-password';

export interface TrafficInput {
  readonly send: Send;
  readonly world: World;
  readonly tally: { fail(what: string, detail: string): void };
  readonly runId: string;
  /** How many virtual users. */
  readonly users: number;
  /** performance.now() at which they stop. */
  readonly deadline: number;
  /** Mean pause between one user's requests (0: none). */
  readonly thinkMs: number;
}

/** Runs the virtual users to the deadline; resolves to them (the final checks read their last sessions). */
export async function runVirtualUsers(input: TrafficInput): Promise<VirtualUser[]> {
  const vus = Array.from({ length: input.users }, (_, i) => new VirtualUser(i, input));
  await Promise.all(vus.map((vu) => vu.run(input.deadline)));
  return vus;
}

export class VirtualUser {
  private user: UserRecord | null = null;
  private session: SessionRecord | null = null;
  private accessToken: string | null = null;

  constructor(
    private readonly index: number,
    private readonly ctx: TrafficInput,
  ) {}

  /** The session whose latest refresh token this user holds at the end (ended if it logged out). */
  get finalSession(): SessionRecord | null {
    return this.session;
  }

  async run(deadline: number): Promise<void> {
    let n = 0;
    while (performance.now() < deadline) {
      await this.step();
      n++;
      if (this.ctx.thinkMs > 0) await sleep(Math.random() * 2 * this.ctx.thinkMs);
      else if (n % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  }

  private signedIn(): boolean {
    return this.session !== null && !this.session.ended && this.accessToken !== null;
  }

  private async step(): Promise<void> {
    if (!this.user) return this.register();
    if (!this.signedIn()) return Math.random() < 0.8 ? this.login() : this.register();
    const roll = Math.random() * 100;
    if (roll < 35) return this.me();
    if (roll < 60) return this.refresh();
    if (roll < 72) return this.listSessions();
    if (roll < 81) return this.login();
    if (roll < 87) return this.wrongPassword();
    if (roll < 94) return this.logout();
    return this.register();
  }

  private adopt(user: UserRecord, body: Record<string, unknown>): void {
    const refreshToken = body.refreshToken;
    const accessToken = body.accessToken;
    if (typeof refreshToken !== 'string' || typeof accessToken !== 'string') {
      this.ctx.tally.fail('tokens', `no tokens in a sign-in answer for ${user.email}`);
      return;
    }
    const session: SessionRecord = { user, refreshToken, ended: false };
    user.sessions.push(session);
    user.live++;
    this.ctx.world.stats.sessionsOpened++;
    this.user = user;
    this.session = session;
    this.accessToken = accessToken;
  }

  private async register(): Promise<void> {
    const { send, world, runId } = this.ctx;
    const email = `soak-${runId}-${this.index}-${world.users.length}-${randomBytes(2).toString('hex')}@soak.example`;
    const answer = await send('POST /auth/register', 201, 'POST', '/auth/register', { json: { email, password: PASSWORD, name: `VU ${this.index}` } });
    if (!answer) return;
    const user: UserRecord = { email, live: 0, sessions: [] };
    world.users.push(user);
    this.adopt(user, answer.body as Record<string, unknown>);
  }

  private async login(): Promise<void> {
    const user = this.user as UserRecord;
    const answer = await this.ctx.send('POST /auth/login', 200, 'POST', '/auth/login', { json: { email: user.email, password: PASSWORD } });
    if (answer) this.adopt(user, answer.body as Record<string, unknown>);
  }

  private async wrongPassword(): Promise<void> {
    const user = this.user as UserRecord;
    await this.ctx.send('POST /auth/login (wrong password)', 401, 'POST', '/auth/login', { json: { email: user.email, password: WRONG_PASSWORD } });
  }

  private async me(): Promise<void> {
    const answer = await this.ctx.send('GET /auth/me', 200, 'GET', '/auth/me', { token: this.accessToken as string });
    const email = answer && !Array.isArray(answer.body) ? answer.body?.email : undefined;
    if (answer && email !== this.user?.email) this.ctx.tally.fail('GET /auth/me', `answered ${String(email)} for ${this.user?.email}`);
  }

  private async refresh(): Promise<void> {
    const session = this.session as SessionRecord;
    const answer = await this.ctx.send('POST /auth/refresh', 200, 'POST', '/auth/refresh', { json: { refreshToken: session.refreshToken } });
    if (!answer) return;
    const body = answer.body as Record<string, unknown>;
    if (typeof body.refreshToken !== 'string' || typeof body.accessToken !== 'string' || body.refreshToken === session.refreshToken) {
      this.ctx.tally.fail('POST /auth/refresh', 'no new refresh token (rotation)');
      return;
    }
    session.refreshToken = body.refreshToken;
    this.accessToken = body.accessToken;
    this.ctx.world.stats.rotations++;
  }

  private async listSessions(): Promise<void> {
    const answer = await this.ctx.send('GET /auth/sessions', 200, 'GET', '/auth/sessions', { token: this.accessToken as string });
    if (!answer) return;
    const list = Array.isArray(answer.body) ? (answer.body as Array<{ current?: unknown }>) : [];
    const user = this.user as UserRecord;
    // Only this virtual user touches this user's sessions: the list must be exact.
    if (list.length !== user.live || list.filter((s) => s.current === true).length !== 1) {
      this.ctx.tally.fail('GET /auth/sessions', `${list.length} sessions (${list.filter((s) => s.current === true).length} current) for ${user.email}, expected ${user.live} (1 current)`);
    } else {
      this.ctx.world.stats.listsMatched++;
    }
  }

  private async logout(): Promise<void> {
    const session = this.session as SessionRecord;
    const answer = await this.ctx.send('POST /auth/logout', 204, 'POST', '/auth/logout', { json: { refreshToken: session.refreshToken } });
    if (!answer) return;
    session.ended = true;
    session.user.live--;
    this.ctx.world.stats.sessionsEnded++;
    this.accessToken = null;
  }
}
