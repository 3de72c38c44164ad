import { expect } from 'chai';
import { GithubStandIn, startGithubTestApp, type GithubTestApp } from '../support/github-stand-in.js';
import { call } from '../support/http.js';
import { Browser, callbackOutcome, githubFlow } from './github-browser.js';
import { capturingLogger } from '../support/log-capture.js';

// What an attacker (or a broken provider) puts in a value: ANSI escapes, CR/LF and a forged JSON
// log line, NUL, DEL, C1 (NEL, CSI), bidi override, zero-width and BOM, a line separator.
const NASTY = 'evil\u001b[31m red\r\n{"level":50,"msg":"forged"}\u0000\u007f\u0085\u009b\u202egnp.exe\u200b\u200e\ufeff\u2028 ';
const HUGE = NASTY.repeat(Math.ceil(14_336 / NASTY.length)).slice(0, 14_336);
// Control characters (C0, DEL, C1) and Unicode format characters (Cf), line/paragraph separators.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Every string in a parsed log entry, with its key path. */
function stringsIn(value: unknown, path = '$'): Array<readonly [string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => stringsIn(v, `${path}.${k}`));
  return [];
}

/** No value of any line is longer than 200 characters or carries a control or format character. */
function expectCleanLines(lines: readonly string[]): void {
  expect(lines.length, 'something was logged').to.be.greaterThan(0);
  for (const line of lines) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    for (const [path, text] of stringsIn(entry)) {
      expect([...text].length, `${path} is at most 200 characters (${text.length})`).to.be.at.most(200);
      expect(UNPRINTABLE.test(text), `${path} carries a control or format character: ${JSON.stringify(text.slice(0, 80))}`).to.equal(false);
    }
    expect(line, 'a forged line inside a value').not.to.contain('\\n{"level"');
  }
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('Outside values in log lines are cut to 200 characters and stripped of control characters (docs/operations.md "Logs")', () => {
  let standIn: GithubStandIn;
  let app: GithubTestApp;
  let lines: string[];

  before(async () => {
    standIn = await GithubStandIn.start();
    const capture = capturingLogger();
    lines = capture.lines;
    app = await startGithubTestApp(standIn, { logger: capture.logger });
  });
  after(async () => {
    await app.close();
    await standIn.close();
  });
  beforeEach(() => {
    standIn.reset();
    lines.length = 0;
  });

  const upstreamFailures = () =>
    lines.map((l) => JSON.parse(l) as { msg?: string; error?: { type?: string; code?: string; message?: string } }).filter((e) => e.msg === 'provider sign-in failed upstream');

  it("logs a token endpoint's 14 KB error_description (and its error) cut and clean", async () => {
    standIn.tokenError = { error: `bad_code${HUGE}`, description: HUGE };
    const { callback } = await githubFlow(new Browser(app, standIn), app, standIn);
    expect(callbackOutcome(callback)).to.equal('github_unavailable');
    await settle();
    const [failure, ...more] = upstreamFailures();
    expect(more, 'one line').to.deep.equal([]);
    expect(failure?.error?.message, 'the description is logged, shortened').to.match(/^evil\[31m red \{"level":50,"msg":"forged"\} gnp\.exe +evil/);
    expect(failure?.error?.message?.endsWith('…'), 'marked as cut').to.equal(true);
    expect(failure?.error?.code?.startsWith('bad_codeevil[31m red {'), 'the error is logged, shortened').to.equal(true);
    expectCleanLines(lines);
  });

  it('logs an error and error_description sent straight to the callback cut and clean', async () => {
    const url = new URL(`${app.url}/auth/github/callback`);
    // As much as fits in Node's 16 KB of request head, percent-encoded.
    url.searchParams.set('error', HUGE.slice(0, 1500));
    url.searchParams.set('error_description', HUGE.slice(0, 1500));
    const res = await new Browser(app, standIn).get(url.toString());
    expect(callbackOutcome(res)).to.equal('github_unavailable');
    await settle();
    expect(upstreamFailures()).to.have.length(1);
    expectCleanLines(lines);
  });

  it('keeps a 14 KB user agent and a path full of control characters out of every line, or cut and clean', async () => {
    const path = `/auth/${encodeURIComponent(NASTY).repeat(10)}`;
    // What an HTTP header can carry of it: C1 controls as obs-text bytes (fetch sends Latin-1 only, Node refuses C0).
    const userAgent = HUGE.slice(0, 6000).replace(/[^\u0020-\u007e\u0080-\u00ff]/g, '');
    const res = await call(app.url, 'GET', path, { headers: { 'user-agent': userAgent } });
    expect(res.status).to.equal(404);
    const unexpected = await call(app.url, 'POST', '/auth/login', {
      body: JSON.stringify({ email: HUGE, password: HUGE }),
      headers: { 'content-type': 'application/json', 'user-agent': 'x'.repeat(8000) },
    });
    expect(unexpected.status).to.be.below(500);
    await settle();
    expectCleanLines(lines);
    expect(lines.join('\n')).not.to.contain('gnp.exe');
  });
});
