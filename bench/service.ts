import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import knex from 'knex';

export interface BuiltService {
  readonly url: string;
  /** The service's own pid (taskset execs node). */
  readonly pid: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the built service (`dist/src/main.js`, as `npm start` does) with `env`, pinned to `cpu`
 * when taskset is there, and resolves once /readyz answers 200.
 */
export async function startBuiltService(root: string, env: NodeJS.ProcessEnv, cpu: number, output: { stdout?: 'ignore' | 'drain' } = {}): Promise<BuiltService> {
  let pinned = true;
  try {
    execFileSync('taskset', ['-c', String(cpu), 'true'], { stdio: 'ignore' });
  } catch {
    pinned = false;
  }
  const [command, args] = pinned ? ['taskset', ['-c', String(cpu), process.execPath, 'dist/src/main.js']] : [process.execPath, ['dist/src/main.js']];
  // 'drain': stdout is a pipe this process reads and drops, as a container runtime reads a service's logs.
  const drain = output.stdout === 'drain';
  const child = spawn(command as string, args as string[], { cwd: root, env, stdio: ['ignore', drain ? 'pipe' : 'ignore', 'inherit'] });
  if (drain) child.stdout?.resume();
  const url = `http://${env.HOST ?? '127.0.0.1'}:${env.PORT ?? '3000'}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() - t0 > 60_000) throw new Error('the service did not become ready in 60 s');
    await sleep(100);
  }
  return {
    url,
    pid: child.pid as number,
    child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The level-2 section `heading` of a Markdown text (up to the next level-2 heading), or null. */
export function sectionOf(text: string, heading: string): string | null {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return null;
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines.slice(start, end < 0 ? lines.length : end).join('\n').trimEnd();
}

/** Replaces the level-2 section `heading` of a Markdown file with `section`, or appends it. */
export function writeSection(file: string, heading: string, section: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const old = sectionOf(current, heading);
  const body = section.trimEnd();
  const next = old === null ? `${current.trimEnd()}\n\n${body}\n` : current.replace(old, body);
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}

/** An empty database `<prefix>_<random>` on the server of `serverUrl`; its URL, and how to drop it. */
export async function freshMysqlDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(serverUrl);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = knex({
    client: 'mysql2',
    connection: { host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) },
  });
  await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', [name]);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
      await admin.destroy();
    },
  };
}
