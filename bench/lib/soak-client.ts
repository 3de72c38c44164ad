/**
 * What the soak's scenarios share: the tally of every answer, the one way they send a request (counted
 * and checked against the status the contract promises), and the world the virtual users build.
 */
import { performance } from 'node:perf_hooks';
import { log } from './common.js';

export interface Failure {
  readonly what: string;
  readonly detail: string;
}

export class Tally {
  /** endpoint → status (or "ERR") → count */
  readonly statuses = new Map<string, Map<string, number>>();
  readonly latencies = new Map<string, number[]>();
  readonly failures: Failure[] = [];
  failureCount = 0;
  serverErrors = 0;
  unexpected = 0;
  networkErrors = 0;
  requests = 0;

  count(endpoint: string, status: string, ms: number | null): void {
    const byStatus = this.statuses.get(endpoint) ?? new Map<string, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.statuses.set(endpoint, byStatus);
    if (ms !== null) {
      const list = this.latencies.get(endpoint) ?? [];
      list.push(ms);
      this.latencies.set(endpoint, list);
    }
    this.requests++;
  }

  fail(what: string, detail: string): void {
    this.failureCount++;
    // The first few tell the story; the count says how many.
    if (this.failures.length < 20) this.failures.push({ what, detail });
    if (this.failureCount <= 5) log(`FAILURE ${what}: ${detail}`);
  }
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | unknown[] | null;
}

/**
 * One request; its status is counted under `endpoint` and checked against `expected`. Resolves to null
 * (after recording the failure) on a network error, a 5xx or any other status than expected.
 */
export type Send = (endpoint: string, expected: number, method: string, path: string, options?: { json?: unknown; token?: string }) => Promise<Answer | null>;

/** `Send` against the service at `base`, counting into `tally`; the user agent names the run. */
export function sender(base: string, runId: string, tally: Tally): Send {
  return async (endpoint, expected, method, path, options = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': `soak/${runId}` };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const t0 = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: options.json === undefined ? undefined : JSON.stringify(options.json),
        signal: AbortSignal.timeout(30_000),
      });
      text = await res.text();
    } catch (err) {
      tally.count(endpoint, 'ERR', null);
      tally.networkErrors++;
      tally.fail(endpoint, `network error: ${(err as Error).message}`);
      return null;
    }
    tally.count(endpoint, String(res.status), performance.now() - t0);
    let body: Answer['body'];
    try {
      body = text ? (JSON.parse(text) as Answer['body']) : null;
    } catch {
      body = null;
    }
    if (res.status >= 500) tally.serverErrors++;
    if (res.status !== expected) {
      if (res.status < 500) tally.unexpected++;
      const code = body && !Array.isArray(body) && typeof body.code === 'string' ? ` ${body.code}` : '';
      tally.fail(endpoint, `expected ${expected}, got ${res.status}${code}`);
      return null;
    }
    return { status: res.status, body };
  };
}

// ---------- the world the virtual users build ----------
export interface SessionRecord {
  readonly user: UserRecord;
  /** The latest refresh token of this session: the only one that may still work (strict rotation). */
  refreshToken: string;
  ended: boolean;
}

export interface UserRecord {
  readonly email: string;
  /** Sessions opened and not logged out, as this run knows them. */
  live: number;
  readonly sessions: SessionRecord[];
}

export interface World {
  readonly users: UserRecord[];
  readonly stats: { sessionsOpened: number; sessionsEnded: number; rotations: number; listsMatched: number };
}

export const newWorld = (): World => ({ users: [], stats: { sessionsOpened: 0, sessionsEnded: 0, rotations: 0, listsMatched: 0 } });
