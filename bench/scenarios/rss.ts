/**
 * Scenario: RSS over a fixed number of authenticated requests. The heap breathes by tens of MB
 * between collections, so one reading before and one after would measure GC timing; instead the
 * peak RSS seen across warm-up chunks is compared with the peak across the measured chunks, and the
 * per-chunk series is kept (a leak grows chunk after chunk; a healthy heap levels off).
 */
import autocannon from 'autocannon';
import { round } from '../lib/common.js';
import { BENCH_EMAIL } from '../lib/databases.js';
import { login } from '../lib/http.js';
import { rssMB } from '../lib/proc.js';
import type { Service } from '../lib/start-service.js';

export interface RssInput {
  readonly server: Service;
  /** GET /auth/me requests measured (in 5 chunks, after 2 chunks of warm-up). */
  readonly requests: number;
  readonly connections: number;
}

export interface RssResult {
  /** Peak RSS over the warm-up chunks, MB. */
  readonly before: number;
  /** Peak RSS over the measured chunks, MB. */
  readonly after: number;
  readonly requests: number;
  /** Peak RSS of each measured chunk, MB. */
  readonly series: number[];
}

export async function measureRss(input: RssInput): Promise<RssResult> {
  const { server } = input;
  const { accessToken } = await login(server.url, BENCH_EMAIL);
  const chunk = Math.max(1000, Math.round(input.requests / 5));
  const opts = { url: `${server.url}/auth/me`, connections: input.connections, headers: { authorization: `Bearer ${accessToken}` }, amount: chunk };
  const runChunk = async () => {
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssMB(server.pid))), 50);
    const result = (await autocannon(opts)) as unknown as autocannon.Result;
    clearInterval(timer);
    return { peak: Math.max(peak, rssMB(server.pid)), requests: result.requests.total };
  };
  let before = 0;
  for (let i = 0; i < 2; i++) before = Math.max(before, (await runChunk()).peak);
  const series: number[] = [];
  let requests = 0;
  for (let i = 0; i < 5; i++) {
    const { peak, requests: n } = await runChunk();
    series.push(round(peak, 0));
    requests += n;
  }
  return { before: round(before, 0), after: Math.max(...series), requests, series };
}
