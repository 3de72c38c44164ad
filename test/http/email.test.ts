import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { DetachedWork } from '../../src/adapters/system/detached-work.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { MYSQL_BACKEND, SQLITE_BACKEND, type Backend } from '../support/backends.js';
import { bearer, call, GOOD_PASSWORD, uniqueEmail } from '../support/http.js';
import { capturingLogger } from '../support/log-capture.js';
import { startSmtpServer, type LoopbackSmtpServer } from '../support/smtp-server.js';
import { expectProblem, expectTokenAnswer, login, median, me, NO_THROTTLE, refresh } from './helpers.js';

const NEW_PASSWORD = 'a brand new passphrase';
const LINK = /(https?:\/\/[^\s"<>]+\/(verify-email|reset-password|confirm-email)#token=([A-Za-z0-9_-]{43}))/;

/** The link of a mail, from its text part, and the token in its fragment. */
function linkOf(mail: ParsedMail): { url: string; path: string; token: string } {
  const match = LINK.exec(mail.text ?? '');
  if (!match) throw new Error(`no link in: ${mail.text}`);
  return { url: match[1] as string, path: match[2] as string, token: match[3] as string };
}

const toAddress = (mail: ParsedMail): string => {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address ?? '';
};
/** POST /auth/register in Bearer mode, the answer as it came. */
const register = (url: string, email = uniqueEmail()) => call(url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD } });

const mailTo = (smtp: LoopbackSmtpServer, address: string, subject?: RegExp) =>
  smtp.waitForMail((m) => toAddress(m) === address && (subject === undefined || subject.test(m.subject ?? '')));

/** A backend's app sending through a fresh loopback SMTP server; stopped after the suite. */
function onBackend(backend: Backend, env: Record<string, string>, logger?: ReturnType<typeof capturingLogger>) {
  const state: { app: TestApp; smtp: LoopbackSmtpServer; stop: () => Promise<void> } = {} as never;
  before(async function () {
    if (!(await backend.available())) return this.skip();
    state.smtp = await startSmtpServer();
    const started = await backend.start({ env: { ...NO_THROTTLE, SMTP_URL: state.smtp.url, ...env }, ...(logger ? { logger: logger.logger } : {}) });
    state.app = started.app;
    state.stop = started.stop;
  });
  after(async () => {
    await state.stop?.();
    await state.smtp?.close();
  });
  return state;
}

for (const backend of [SQLITE_BACKEND, MYSQL_BACKEND]) {
describe(`email: verification through a real SMTP server, on ${backend.name}`, function () {
  this.timeout(20_000);
  const APP_NAME = 'Acme Accounts';
  const logs = capturingLogger('debug');
  const s = onBackend(backend, { MAIL_FROM: 'Acme <no-reply@acme.test>', APP_NAME, EMAIL_LINK_BASE_URL: 'https://app.acme.test/account/', LOG_LEVEL: 'debug' }, logs);

  const db = () => s.app.container.resolve<Knex>(TOKENS.Database);

  it('mails a verification link at sign-up: From, To, a subject naming APP_NAME, a text and an HTML part, the token only in the fragment', async () => {
    const email = uniqueEmail('verify');
    const reg = await register(s.app.url, email);
    expect(reg.status).to.equal(201);
    expect(reg.body.user.emailVerified).to.equal(false);

    const mail = await mailTo(s.smtp, email);
    expect(mail.from?.value[0]?.address).to.equal('no-reply@acme.test');
    expect(mail.subject).to.include(APP_NAME);
    expect(mail.text).to.be.a('string').and.not.equal('');
    expect(mail.html).to.be.a('string').and.include('<');
    const link = linkOf(mail);
    expect(link.url).to.match(/^https:\/\/app\.acme\.test\/account\/verify-email#token=/);
    expect(mail.html).to.include(link.token);

    const verified = await call(s.app.url, 'POST', '/auth/email/verify', { json: { token: link.token } });
    expect(verified.status).to.equal(200);
    expect(verified.body).to.include({ id: reg.body.user.id, email, emailVerified: true });
    expect((await me(s.app.url, reg.body.accessToken)).body.emailVerified).to.equal(true);

    expectProblem(await call(s.app.url, 'POST', '/auth/email/verify', { json: { token: link.token } }), 400, 'LINK_INVALID');
    expectProblem(await call(s.app.url, 'POST', '/auth/email/verification', { headers: bearer(reg.body.accessToken) }), 409, 'EMAIL_ALREADY_VERIFIED');
  });

  it('keeps no token in the clear: not in the database, not in a log line', async () => {
    const email = uniqueEmail('secret');
    await register(s.app.url, email);
    const { token } = linkOf(await mailTo(s.smtp, email));
    await call(s.app.url, 'POST', '/auth/password/forgot', { json: { email: uniqueEmail('other') } });

    const rows = await db()('email_tokens').select();
    expect(rows.length).to.be.greaterThan(0);
    expect(JSON.stringify(rows)).to.not.include(token);
    expect(logs.lines.join('\n')).to.not.include(token);
    expect(logs.lines.some((l) => l.includes('MAIL_SENT')), 'the delivery is logged').to.equal(true);
    expect(logs.lines.join('\n'), 'the address is masked').to.not.include(email);
  });

});

/**
 * EMAIL_VERIFICATION=off: sign-up mails nothing, so it starts no address's 60 s gap, and the
 * reset and change flows can follow a sign-up at once.
 */
describe(`email: forgot, reset and change (EMAIL_VERIFICATION=off) through a real SMTP server, on ${backend.name}`, function () {
  this.timeout(30_000);
  const s = onBackend(backend, { EMAIL_VERIFICATION: 'off' });
  const forgot = (email: string) => call(s.app.url, 'POST', '/auth/password/forgot', { json: { email } });

  it('mails nothing at sign-up when off, and a new account is unverified', async () => {
    const email = uniqueEmail('off');
    const reg = await register(s.app.url, email);
    expect(reg.body.user.emailVerified).to.equal(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.smtp.messages.some((m) => toAddress(m) === email)).to.equal(false);
  });

  it('answers forgot alike for a known and an unknown address; only the known one gets a mail', async () => {
    const known = uniqueEmail('known');
    await register(s.app.url, known);
    const ghost = uniqueEmail('ghost');
    const [a, b] = [await forgot(known), await forgot(ghost)];
    expect([a.status, b.status]).to.deep.equal([202, 202]);
    expect(a.text).to.equal(b.text);
    expect(a.headers.get('content-type')).to.equal(b.headers.get('content-type'));
    expect(linkOf(await mailTo(s.smtp, known)).path).to.equal('reset-password');
    await new Promise((r) => setTimeout(r, 100));
    expect(s.smtp.messages.some((m) => toAddress(m) === ghost), 'no mail to an unknown address').to.equal(false);
    expectProblem(await forgot('not an address'), 400, 'VALIDATION_FAILED');
  });

  it('takes about the same time for a known and an unknown address (medians within a factor of 2)', async () => {
    const knowns: string[] = [];
    for (let i = 0; i < 15; i++) {
      const email = uniqueEmail('timed');
      expect((await register(s.app.url, email)).status).to.equal(201);
      knowns.push(email);
    }
    const time = async (email: string, into: number[]) => {
      const start = process.hrtime.bigint();
      const res = await forgot(email);
      into.push(Number(process.hrtime.bigint() - start) / 1e6);
      expect(res.status, res.text).to.equal(202);
      // What a known address left for the background must not slow the next request measured.
      await s.app.container.resolve<DetachedWork>(TOKENS.BackgroundWork).drain();
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) await time(uniqueEmail('warm'), []);
    for (const email of knowns) {
      await time(email, known);
      await time(uniqueEmail('nobody'), unknown);
    }
    const [k, u] = [median(known), median(unknown)];
    expect(Math.max(k, u) / Math.min(k, u), `medians: known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).to.be.below(2);
  });

  it('throttles token mails per address, known or not: the second within 60 s is 429 TOO_MANY_EMAILS with Retry-After', async () => {
    const known = uniqueEmail('twice');
    await register(s.app.url, known);
    for (const email of [known, uniqueEmail('twice-ghost')]) {
      expect((await forgot(email)).status).to.equal(202);
      const refused = await forgot(email);
      expectProblem(refused, 429, 'TOO_MANY_EMAILS');
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    }
  });

  it('resets a password: the new one works, the old one and every session end, the address counts verified, a notice is mailed', async () => {
    const email = uniqueEmail('reset');
    const reg = expectTokenAnswer(await register(s.app.url, email), 201);
    await forgot(email);
    const { token } = linkOf(await mailTo(s.smtp, email));

    expectProblem(await call(s.app.url, 'POST', '/auth/password/reset', { json: { token, newPassword: 'password123' } }), 400, 'PASSWORD_TOO_WEAK');
    const done = await call(s.app.url, 'POST', '/auth/password/reset', { json: { token, newPassword: NEW_PASSWORD } });
    expect(done.status, done.text).to.equal(204);

    expectProblem(await refresh(s.app.url, reg.refreshToken), 401, 'INVALID_TOKEN');
    expectProblem(await login(s.app.url, email, GOOD_PASSWORD), 401, 'INVALID_CREDENTIALS');
    const signedIn = expectTokenAnswer(await login(s.app.url, email, NEW_PASSWORD), 200);
    expect(signedIn.user.emailVerified).to.equal(true);
    expect((await mailTo(s.smtp, email, /password/i)).text).to.match(/password/i);
    await s.smtp.waitForMail((m) => toAddress(m) === email && !LINK.test(m.text ?? ''));
    expectProblem(await call(s.app.url, 'POST', '/auth/password/reset', { json: { token, newPassword: 'and yet another one' } }), 400, 'LINK_INVALID');
  });

  it('changes the email only once the new address confirms it: a link there, a notice to the old one, every session ended', async () => {
    const oldEmail = uniqueEmail('before');
    const newEmail = uniqueEmail('after');
    const reg = expectTokenAnswer(await register(s.app.url, oldEmail), 201);

    expectProblem(
      await call(s.app.url, 'POST', '/auth/email/change', { headers: bearer(reg.accessToken), json: { newEmail, currentPassword: 'wrong password' } }),
      401,
      'INVALID_CREDENTIALS',
    );
    const asked = await call(s.app.url, 'POST', '/auth/email/change', { headers: bearer(reg.accessToken), json: { newEmail, currentPassword: GOOD_PASSWORD } });
    expect(asked.status, asked.text).to.equal(202);
    expect((await me(s.app.url, reg.accessToken)).body.email, 'nothing changed yet').to.equal(oldEmail);

    const { path, token } = linkOf(await mailTo(s.smtp, newEmail));
    expect(path).to.equal('confirm-email');
    expect((await mailTo(s.smtp, oldEmail)).text).to.include(newEmail);

    const confirmed = await call(s.app.url, 'POST', '/auth/email/confirm-change', { json: { token } });
    expect(confirmed.status, confirmed.text).to.equal(200);
    expect(confirmed.body).to.include({ id: reg.user.id, email: newEmail, emailVerified: true });
    expectProblem(await refresh(s.app.url, reg.refreshToken), 401, 'INVALID_TOKEN');
    expectTokenAnswer(await login(s.app.url, newEmail, GOOD_PASSWORD), 200);
    expectProblem(await login(s.app.url, oldEmail, GOOD_PASSWORD), 401, 'INVALID_CREDENTIALS');
    expectProblem(await call(s.app.url, 'POST', '/auth/email/confirm-change', { json: { token } }), 400, 'LINK_INVALID');
  });

  it('refuses malformed bodies with a problem and changes nothing', async () => {
    for (const path of ['/auth/email/verify', '/auth/email/confirm-change', '/auth/password/reset']) {
      expectProblem(await call(s.app.url, 'POST', path, { json: {} }), 400, 'VALIDATION_FAILED');
      expectProblem(await call(s.app.url, 'POST', path, { json: { token: 12, newPassword: NEW_PASSWORD } }), 400, 'VALIDATION_FAILED');
      expectProblem(await call(s.app.url, 'POST', path, { json: { token: 'a'.repeat(5000), newPassword: NEW_PASSWORD } }), 400, 'LINK_INVALID');
    }
    expectProblem(await call(s.app.url, 'POST', '/auth/email/verification'), 401, 'TOKEN_MISSING');
    expectProblem(await call(s.app.url, 'POST', '/auth/email/change', { json: { newEmail: uniqueEmail() } }), 401, 'TOKEN_MISSING');
  });
});

describe(`EMAIL_VERIFICATION=required, on ${backend.name}`, function () {
  this.timeout(20_000);
  const s = onBackend(backend, { EMAIL_VERIFICATION: 'required' });

  it('answers sign-up with the user and no tokens; the right password is 403 EMAIL_NOT_VERIFIED until the link is spent, a wrong one 401', async () => {
    const email = uniqueEmail('required');
    const reg = await call(s.app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD } });
    expect(reg.status).to.equal(201);
    expect(Object.keys(reg.body)).to.deep.equal(['user']);
    expect(reg.headers.get('set-cookie')).to.equal(null);

    expectProblem(await login(s.app.url, email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
    expectProblem(await login(s.app.url, email, GOOD_PASSWORD), 403, 'EMAIL_NOT_VERIFIED');

    const { token } = linkOf(await mailTo(s.smtp, email));
    expect((await call(s.app.url, 'POST', '/auth/email/verify', { json: { token } })).status).to.equal(200);
    expect(expectTokenAnswer(await login(s.app.url, email, GOOD_PASSWORD), 200).user.emailVerified).to.equal(true);
  });
});

}

describe('a mail that cannot be sent', function () {
  this.timeout(20_000);

  it('changes nothing the client sees, and is logged with a code (never the token)', async () => {
    const smtp = await startSmtpServer();
    smtp.rejectAll(550);
    const logs = capturingLogger('info');
    const { app, stop } = await SQLITE_BACKEND.start({ logger: logs.logger, env: { ...NO_THROTTLE, SMTP_URL: smtp.url, LOG_LEVEL: 'info' } });
    try {
      const email = uniqueEmail('bounced');
      expectTokenAnswer(await register(app.url, email), 201);
      expect((await call(app.url, 'POST', '/auth/password/forgot', { json: { email: uniqueEmail('also') } })).status).to.equal(202);
      for (let i = 0; i < 100 && !logs.lines.some((l) => l.includes('MAIL_SEND_FAILED')); i++) await new Promise((r) => setTimeout(r, 20));
      expect(logs.lines.some((l) => l.includes('MAIL_SEND_FAILED'))).to.equal(true);
      expect(logs.lines.join('\n')).to.not.match(/#token=/);
    } finally {
      await stop();
      await smtp.close();
    }
  });
});

describe('email on the file outbox (no SMTP_URL)', () => {
  it('writes each message as an .eml file in MAIL_OUTBOX_DIR, with both parts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-outbox-'));
    const app = await startTestApp({ env: { MAIL_OUTBOX_DIR: dir } });
    try {
      const email = uniqueEmail('outbox');
      expect((await register(app.url, email)).status).to.equal(201);
      let files: string[] = [];
      for (let i = 0; i < 100 && files.length === 0; i++) {
        files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
        if (files.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(files).to.have.length(1);
      const mail = await simpleParser(readFileSync(join(dir, files[0] as string)));
      expect(toAddress(mail)).to.equal(email);
      expect(mail.text).to.match(LINK);
      expect(mail.html).to.be.a('string');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
