/** Plain JSON requests of bench/run.ts (outside the measured load). */
import { PASSWORD } from './common.js';

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

/** Signs `email` in with the seeded password; throws unless 200. */
export async function login(base: string, email: string) {
  const r = await post(`${base}/auth/login`, { email, password: PASSWORD });
  if (r.status !== 200) throw new Error(`login of ${email} failed: ${r.status}`);
  return r.json as { accessToken: string; refreshToken: string };
}
