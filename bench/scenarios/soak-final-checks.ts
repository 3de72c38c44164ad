/**
 * Scenario (soak): the end, nothing lost. The latest refresh token of every session ever opened still
 * rotates (200), or is refused (401) if that session logged out; then every registered user still
 * signs in and lists exactly its live sessions plus the new one.
 */
import { PASSWORD } from '../lib/common.js';
import type { SessionRecord, Send, World } from '../lib/soak-client.js';

export interface FinalChecksInput {
  readonly send: Send;
  readonly world: World;
  readonly tally: { fail(what: string, detail: string): void };
  /** The virtual users' final sessions (null for one that never signed in). */
  readonly finalSessions: Array<SessionRecord | null>;
}

export interface FinalChecks {
  liveRefreshed: number;
  liveTotal: number;
  endedRefused: number;
  endedTotal: number;
  vuLive: number;
  vuLiveOk: number;
  vuEnded: number;
  vuEndedOk: number;
  usersSignedIn: number;
  usersListedExactly: number;
}

async function inBatches<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export async function finalChecks(input: FinalChecksInput): Promise<FinalChecks> {
  const { send, world, tally } = input;
  const result: FinalChecks = { liveRefreshed: 0, liveTotal: 0, endedRefused: 0, endedTotal: 0, vuLive: 0, vuLiveOk: 0, vuEnded: 0, vuEndedOk: 0, usersSignedIn: 0, usersListedExactly: 0 };
  // Every session ever opened, the virtual users' final ones first (their own line in the report).
  const finals = new Set(input.finalSessions.filter((s): s is SessionRecord => s !== null));
  const all = [...finals, ...world.users.flatMap((u) => u.sessions).filter((s) => !finals.has(s))];
  await inBatches(all, 8, async (session) => {
    const expected = session.ended ? 401 : 200;
    const answer = await send(session.ended ? 'final: refresh (logged out)' : 'final: refresh (live)', expected, 'POST', '/auth/refresh', { json: { refreshToken: session.refreshToken } });
    const ok = answer ? 1 : 0;
    if (session.ended) {
      result.endedTotal++;
      result.endedRefused += ok;
    } else {
      result.liveTotal++;
      result.liveRefreshed += ok;
    }
    if (finals.has(session) && session.ended) {
      result.vuEnded++;
      result.vuEndedOk += ok;
    } else if (finals.has(session)) {
      result.vuLive++;
      result.vuLiveOk += ok;
    }
  });
  // Then every user signs in once more and must see its live sessions plus this new one.
  await inBatches(world.users, 4, async (user) => {
    const answer = await send('final: login', 200, 'POST', '/auth/login', { json: { email: user.email, password: PASSWORD } });
    if (!answer) return;
    result.usersSignedIn++;
    const token = (answer.body as { accessToken?: string }).accessToken;
    const list = await send('final: sessions', 200, 'GET', '/auth/sessions', { token: token ?? '' });
    if (!list) return;
    const count = Array.isArray(list.body) ? list.body.length : -1;
    if (count === user.live + 1) result.usersListedExactly++;
    else tally.fail('final: sessions', `${user.email} lists ${count} sessions, expected ${user.live + 1}`);
  });
  return result;
}
