import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../../../domain/errors.js';
import type { TokenStore } from '../../../domain/ports/token-store.js';
import type { Session } from '../../../domain/session.js';

export interface RedisTokenStoreOptions {
  /** REDIS_KEY_PREFIX: every key starts with it. */
  readonly prefix: string;
  /**
   * REFRESH_TOKEN_TTL: a session's newest refresh token expires this long after it was issued,
   * so a session not refreshed for this long can never be used again and its key may expire.
   */
  readonly idleTtlSeconds: number;
}

// A session is one hash; a missing field is null. Times are epoch milliseconds.
//   u user id · c created · l last used · x expires (absolute) · a user agent
//   cur current digest · prev previous digest · r rotated · e ended
type SessionHash = Record<string, string>;

// Rotation: a compare-and-set on the current digest of a session not ended, and the key's TTL
// moves with the new token (never past the session's absolute end). One script, so atomic.
const ROTATE = `
if redis.call('HGET', KEYS[1], 'cur') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[1], 'e') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'prev', ARGV[1], 'r', ARGV[3], 'l', ARGV[3])
local ttl = math.min(tonumber(redis.call('HGET', KEYS[1], 'x')) - tonumber(ARGV[3]), tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[1], math.max(ttl, 1))
return 1
`;

// Creation, in one script so that the cap and the insert are one atomic step.
// KEYS: the session's hash, the user's index. ARGV: [1] the hash's TTL (ms), [2] the absolute end
// (the index score), [3] the id, [4] the sign-in time, [5] the index's lifetime (ms), [6] '1' when
// the session is created ended, [7] the cap (0: none), [8] the session key prefix, [9..] the hash.
// Under a cap, the user's other sessions live at the sign-in are read most recently used first
// (ties by id) and those past cap - 1 end; ended or vanished members are swept from the index.
// Their keys are built here from the prefix: one Redis, not a cluster (docs/operations.md, Several instances).
const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 9))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if ARGV[6] == '1' then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5], 'NX')
redis.call('PEXPIRE', KEYS[2], ARGV[5], 'GT')
local cap = tonumber(ARGV[7])
if cap == 0 then return 0 end
local others = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[4], '+inf')) do
  if id ~= ARGV[3] then
    local h = redis.call('HMGET', ARGV[8] .. id, 'l', 'e')
    if h[1] and not h[2] then
      table.insert(others, { id = id, l = tonumber(h[1]) })
    else
      redis.call('ZREM', KEYS[2], id)
    end
  end
end
table.sort(others, function(a, b)
  if a.l ~= b.l then return a.l > b.l end
  return a.id > b.id
end)
local ended = 0
for i = cap, #others do
  redis.call('HSET', ARGV[8] .. others[i].id, 'e', ARGV[4])
  redis.call('ZREM', KEYS[2], others[i].id)
  ended = ended + 1
end
return ended
`;

const END = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'e') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'e', ARGV[1])
return 1
`;

// KEYS[1] is the user's index, KEYS[2..] the sessions named by ARGV[2..]; ARGV[1] is the end time.
const END_ALL = `
local ended = 0
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('HEXISTS', KEYS[i], 'e') == 0 then
    redis.call('HSET', KEYS[i], 'e', ARGV[1])
    ended = ended + 1
  end
  redis.call('ZREM', KEYS[1], ARGV[i])
end
return ended
`;

interface SessionScripts {
  sessionCreate(sessionKey: string, indexKey: string, ...args: (string | number)[]): Promise<number>;
  sessionRotate(key: string, from: string, to: string, at: number, idleMs: number): Promise<number>;
  sessionEnd(key: string, at: number): Promise<number>;
  sessionEndAll(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
}

/**
 * Sessions in Redis, for many instances sharing one store:
 * - `<prefix>session:<id>`: the session's hash. It expires when its newest refresh token does
 *   (REFRESH_TOKEN_TTL after the last rotation), never after the session's absolute end, so
 *   nothing outlives the state it holds; an ended session keeps its hash until then.
 * - `<prefix>user-sessions:<userId>`: a sorted set of the user's session ids scored by their
 *   absolute end, for listing and logout-all; ended, expired and vanished members are swept
 *   as they are met, and the set itself expires with its longest-lived session.
 * Creation (with SESSIONS_PER_USER_MAX), rotation and ending are Lua scripts (atomic on the server). TTLs are relative to the times the
 * caller passes, so a store whose clock is not Redis's (tests) keeps the same lifetimes.
 * Every failure to reach Redis is a ServiceUnavailableError: nothing is ever answered open.
 */
export class RedisTokenStore implements TokenStore {
  private readonly scripts: SessionScripts;
  private readonly idleMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisTokenStoreOptions,
  ) {
    redis.defineCommand('sessionCreate', { numberOfKeys: 2, lua: CREATE });
    redis.defineCommand('sessionRotate', { numberOfKeys: 1, lua: ROTATE });
    redis.defineCommand('sessionEnd', { numberOfKeys: 1, lua: END });
    redis.defineCommand('sessionEndAll', { lua: END_ALL });
    this.scripts = redis as unknown as SessionScripts;
    this.idleMs = options.idleTtlSeconds * 1000;
  }

  private sessionKey(id: string): string {
    return `${this.options.prefix}session:${id}`;
  }

  private userKey(userId: string): string {
    return `${this.options.prefix}user-sessions:${userId}`;
  }

  create(session: Session, maxLive?: number): Promise<void> {
    return reach(async () => {
      const lastUsed = session.lastUsedAt.getTime();
      const expires = session.expiresAt.getTime();
      const created = session.createdAt.getTime();
      await this.scripts.sessionCreate(
        this.sessionKey(session.id),
        this.userKey(session.userId),
        Math.max(1, Math.min(expires - lastUsed, this.idleMs)),
        expires,
        session.id,
        created,
        Math.max(1, expires - created),
        session.endedAt === null ? '0' : '1',
        maxLive ?? 0,
        this.sessionKey(''),
        ...Object.entries(toHash(session)).flat(),
      );
    });
  }

  find(id: string): Promise<Session | null> {
    return reach(async () => fromHash(id, await this.redis.hgetall(this.sessionKey(id))));
  }

  rotate(id: string, from: string, to: string, at: Date): Promise<boolean> {
    return reach(async () => (await this.scripts.sessionRotate(this.sessionKey(id), from, to, at.getTime(), this.idleMs)) === 1);
  }

  end(id: string, at: Date): Promise<boolean> {
    return reach(async () => (await this.scripts.sessionEnd(this.sessionKey(id), at.getTime())) === 1);
  }

  endAllForUser(userId: string, at: Date, exceptId?: string): Promise<number> {
    return reach(async () => {
      const ids = (await this.redis.zrange(this.userKey(userId), '0', '-1')).filter((id) => id !== exceptId);
      if (ids.length === 0) return 0;
      const keys = [this.userKey(userId), ...ids.map((id) => this.sessionKey(id))];
      return this.scripts.sessionEndAll(keys.length, ...keys, at.getTime(), ...ids);
    });
  }

  listLive(userId: string, now: Date): Promise<Session[]> {
    return reach(async () => {
      const index = this.userKey(userId);
      const ids = await this.redis.zrangebyscore(index, `(${String(now.getTime())}`, '+inf');
      if (ids.length === 0) return [];
      const read = this.redis.pipeline();
      for (const id of ids) read.hgetall(this.sessionKey(id));
      const hashes = await exec(read);
      const live: Session[] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const session = fromHash(id, hashes[i] as SessionHash);
        if (session === null || session.endedAt !== null || session.userId !== userId) gone.push(id);
        else live.push(session);
      });
      if (gone.length > 0) await this.redis.zrem(index, ...gone);
      return live.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    });
  }

  /** Nothing to do: every key expires by itself (see the class comment). */
  prune(): Promise<number> {
    return Promise.resolve(0);
  }
}

/** Runs a MULTI or a pipeline; any failed command fails the whole call. */
async function exec(batch: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
  const results = await batch.exec();
  if (results === null) throw new Error('the Redis transaction was aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** Any failure to talk to Redis becomes SERVICE_UNAVAILABLE, with no client text. */
async function reach<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch {
    throw new ServiceUnavailableError('session store');
  }
}

function toHash(s: Session): SessionHash {
  const hash: SessionHash = {
    u: s.userId,
    c: String(s.createdAt.getTime()),
    l: String(s.lastUsedAt.getTime()),
    x: String(s.expiresAt.getTime()),
    cur: s.currentTokenDigest,
  };
  if (s.userAgent !== null) hash.a = s.userAgent;
  if (s.previousTokenDigest !== null) hash.prev = s.previousTokenDigest;
  if (s.rotatedAt !== null) hash.r = String(s.rotatedAt.getTime());
  if (s.endedAt !== null) hash.e = String(s.endedAt.getTime());
  if (s.amr && s.amr.length > 0) hash.m = s.amr.join(',');
  return hash;
}

const time = (ms: string): Date => new Date(Number(ms));

function fromHash(id: string, h: SessionHash): Session | null {
  const { u, c, l, x, cur } = h;
  if (u === undefined || c === undefined || l === undefined || x === undefined || cur === undefined) return null;
  return {
    id,
    userId: u,
    createdAt: time(c),
    lastUsedAt: time(l),
    expiresAt: time(x),
    userAgent: h.a ?? null,
    currentTokenDigest: cur,
    previousTokenDigest: h.prev ?? null,
    rotatedAt: h.r === undefined ? null : time(h.r),
    endedAt: h.e === undefined ? null : time(h.e),
    ...(h.m ? { amr: h.m.split(',') } : {}),
  };
}
