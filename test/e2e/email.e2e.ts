import { expect } from 'chai';
import type { ParsedMail } from 'mailparser';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { RateLimiterMailThrottle } from '../../src/adapters/throttle/rate-limiter-mail-throttle.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { appDatabase } from '../support/backends.js';
import { TEST_COUNTER_KEY } from '../support/config.js';
import { chromiumSuite, isFocused } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { freePort, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import { startSmtpServer, type LoopbackSmtpServer } from '../support/smtp-server.js';
import { AccountPage } from './account-page.js';

const NEW_PASSWORD = 'a brand new passphrase';
const MAIL_PER_ADDRESS = 3;

/**
 * The service's throttle with the per-address hourly limit, but not the 60 s between two mails to
 * one address (MAIL_GAP_SECONDS), which the flows here would otherwise have to sit out.
 */
const mailThrottleWithoutGap = () =>
  new RateLimiterMailThrottle(
    {
      perAddress: new RateLimiterMemory({ points: MAIL_PER_ADDRESS, duration: 3600 }),
      addressGap: new RateLimiterMemory({ points: 1_000, duration: 60 }),
      perIp: new RateLimiterMemory({ points: 1_000_000, duration: 3600 }),
    },
    TEST_COUNTER_KEY,
  );

const recipients = (mail: ParsedMail): string[] =>
  (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

/**
 * The mail flows of the account page in a real browser, on real mail: the service sends over SMTP
 * (QueueingMailer, nodemailer) to a loopback server, and the test opens the link the text part holds.
 */
describe('the account page’s mail flows in a real browser (verification, reset, email change)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let smtp: LoopbackSmtpServer;
  const chromium = chromiumSuite('mail browser test');

  before(async function () {
    smtp = await startSmtpServer();
    // The links in the mail name the service itself, so the port is chosen before it starts.
    const port = await freePort();
    app = await startTestApp({
      persistence: 'database',
      port,
      env: { DATABASE_URL: 'sqlite::memory:', SMTP_URL: smtp.url, PUBLIC_URL: `http://127.0.0.1:${port}` },
      override: (c) => c.register(TOKENS.MailThrottle, { useValue: mailThrottleWithoutGap() }),
    });
    await migrateToLatest(appDatabase(app));
  });
  after(async () => {
    await app?.close();
    if (app) await appDatabase(app).destroy();
    await smtp?.close();
  });

  const newPage = async () => new AccountPage(await chromium.context.newPage());

  /** The `nth` (1-based) mail to `to` whose subject matches, once it has arrived. */
  async function mailTo(to: string, subject: RegExp, nth = 1): Promise<ParsedMail> {
    const matches = (m: ParsedMail) => recipients(m).includes(to) && subject.test(m.subject ?? '');
    await smtp.waitForMail((m) => matches(m) && smtp.messages.filter(matches).length >= nth, 10_000);
    return smtp.messages.filter(matches)[nth - 1] as ParsedMail;
  }

  /** The link in the mail's text part, checked to point at `page` of this service with the token in the fragment. */
  function linkIn(mail: ParsedMail, page: string): string {
    const link = /https?:\/\/\S+#token=\S+/.exec(mail.text ?? '')?.[0];
    expect(link, `a link in: ${mail.text}`).to.be.a('string');
    expect(link?.startsWith(`${app.url}/${page}#token=`), link).to.equal(true);
    return link ?? '';
  }

  /** What a mail scanner does: fetches the link (its fragment never leaves the client). It must spend nothing. */
  async function scan(link: string): Promise<void> {
    const res = await fetch(link);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.contain('<title>auth-api · account</title>');
  }

  /** Opens a mail link in the page; the page reads the token and takes it out of the address bar. */
  async function openLink(p: AccountPage, link: string, form: string): Promise<void> {
    await p.page.goto(link);
    await p.page.locator(form).waitFor({ state: 'visible' });
    expect(p.page.url(), 'no token left in the address bar').to.equal(`${app.url}/`);
  }

  it('mails a verification link at sign-up and on request; one click on the link page verifies, and a spent link says so', async () => {
    const email = uniqueEmail('browser-verify');
    const p = await (await newPage()).open(app.url);
    await p.signUp(email, 'Vera Verify');
    expect(await p.emailState.innerText()).to.equal('not verified');
    const send = p.page.getByRole('button', { name: 'Send verification email' });
    expect(await send.isVisible()).to.equal(true);
    await p.capture('email-not-verified');

    linkIn(await mailTo(email, /Confirm your email address/), 'verify-email');
    await send.click();
    expect(await p.shown()).to.equal('Check your inbox: a verification link is on its way.');
    await p.capture('email-verification-sent');
    // The new mail's link is the one that works: asking again voids the first.
    const link = linkIn(await mailTo(email, /Confirm your email address/, 2), 'verify-email');

    await scan(link);
    await openLink(p, link, '#verify-form');
    const verify = p.page.getByRole('button', { name: 'Verify my email' });
    expect(await isFocused(verify), 'focus on the one thing to do').to.equal(true);
    expect(await p.visibleForms()).to.equal(1);
    await p.capture('email-verify-link');
    await verify.click();
    expect(await p.shown()).to.equal('Your email address is verified.');
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.emailState.innerText()).to.equal('verified');
    expect(await send.isVisible(), 'nothing left to send').to.equal(false);
    await p.capture('email-verified');

    p.watch.allow('POST', '/auth/email/verify', 400);
    await openLink(p, link, '#verify-form');
    await verify.click();
    expect(await p.shown()).to.equal('This link is invalid or has expired.\nSend yourself a new one from your account (sign in first).');
    expect(await p.signedIn.isVisible()).to.equal(true);
    await p.capture('email-verify-link-spent');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it(`says when too many verification mails were asked for (MAIL_PER_ADDRESS_PER_HOUR=${MAIL_PER_ADDRESS})`, async () => {
    const p = await (await newPage()).open(app.url);
    p.watch.allow('POST', '/auth/email/verification', 429);
    await p.signUp(uniqueEmail('browser-verify-often'));
    const send = p.page.getByRole('button', { name: 'Send verification email' });
    for (let i = 1; i < MAIL_PER_ADDRESS; i++) {
      await send.click();
      expect(await p.shown()).to.equal('Check your inbox: a verification link is on its way.');
    }
    await send.click();
    expect(await p.shown()).to.match(/^Too many emails were asked for\. Try again in \d+ minutes\.$/);
    await p.capture('email-verification-throttled');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('resets a forgotten password from the mailed link: the new one signs in, the old one and the spent link are refused', async () => {
    const { email } = await register(app.url, uniqueEmail('browser-forgot'));
    const p = await (await newPage()).open(app.url);
    p.watch.allow('POST', '/auth/password/reset', 400).allow('POST', '/auth/login', 401).allow('POST', '/auth/password/forgot', 400);

    await p.signInForm.getByLabel('Email').fill(email);
    await p.signInForm.getByRole('button', { name: 'Forgot password?' }).click();
    await p.forgotForm.waitFor({ state: 'visible' });
    expect(await p.visibleForms()).to.equal(1);
    expect(await p.forgotForm.getByLabel('Email').inputValue(), 'the address typed already').to.equal(email);
    expect(await isFocused(p.forgotForm.getByLabel('Email'))).to.equal(true);
    await p.capture('forgot-password');

    await p.forgotForm.getByLabel('Email').fill('not an address');
    await p.forgotForm.getByRole('button', { name: 'Send reset link' }).click();
    expect(await p.shown()).to.match(/^Please check the form:\nEmail: /);
    expect(await isFocused(p.forgotForm.getByLabel('Email'))).to.equal(true);

    // An unknown address gets the same words as a known one.
    await p.forgotForm.getByLabel('Email').fill(uniqueEmail('nobody'));
    await p.forgotForm.getByRole('button', { name: 'Send reset link' }).click();
    const neutral = 'If an account has this address, a link is on its way. Check your inbox.';
    expect(await p.shown()).to.equal(neutral);
    await p.signInForm.getByRole('button', { name: 'Forgot password?' }).click();
    await p.forgotForm.getByLabel('Email').fill(email);
    await p.forgotForm.getByRole('button', { name: 'Send reset link' }).click();
    expect(await p.shown()).to.equal(neutral);
    expect(await p.signInForm.isVisible(), 'back on the sign-in form').to.equal(true);
    await p.capture('forgot-password-sent');

    const link = linkIn(await mailTo(email, /Reset your/), 'reset-password');
    await scan(link);
    await openLink(p, link, '#reset-form');
    expect(await isFocused(p.resetForm.getByLabel('New password'))).to.equal(true);
    expect(await p.visibleForms()).to.equal(1);
    await p.capture('reset-password');

    await p.resetForm.getByLabel('New password').fill('short');
    await p.resetForm.getByRole('button', { name: 'Set new password' }).click();
    expect(await p.shown()).to.match(/^Please check the form:\nNew password: /);
    expect(await isFocused(p.resetForm.getByLabel('New password'))).to.equal(true);
    await p.capture('reset-password-too-short');

    await p.resetForm.getByLabel('New password').fill(NEW_PASSWORD);
    await p.resetForm.getByRole('button', { name: 'Set new password' }).click();
    await p.signInForm.waitFor({ state: 'visible' });
    expect(await p.shown()).to.equal('Password changed; sign in with it.');
    expect(await isFocused(p.signInForm.getByLabel('Email'))).to.equal(true);
    await p.capture('reset-password-done');

    await p.signIn(email, GOOD_PASSWORD);
    expect(await p.shown()).to.equal('That email and password do not match.');
    await p.signIn(email, NEW_PASSWORD);
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.page.locator('#user-name').innerText()).to.equal(email);
    await mailTo(email, /password was changed/);

    await openLink(p, link, '#reset-form');
    await p.resetForm.getByLabel('New password').fill('another new passphrase');
    await p.resetForm.getByRole('button', { name: 'Set new password' }).click();
    expect(await p.shown()).to.equal('This link is invalid or has expired.\nYou are signed in: change your password below.');
    expect(await p.signedIn.isVisible(), 'still signed in').to.equal(true);

    await chromium.context.clearCookies();
    await openLink(p, link, '#reset-form');
    await p.resetForm.getByLabel('New password').fill('another new passphrase');
    await p.resetForm.getByRole('button', { name: 'Set new password' }).click();
    expect(await p.shown()).to.equal('This link is invalid or has expired.\nAsk for a new one here.');
    await p.forgotForm.waitFor({ state: 'visible' });
    expect(await isFocused(p.forgotForm.getByLabel('Email')), 'where to ask for a new link').to.equal(true);
    await p.expectMessageAbove(p.forgotForm);
    await p.capture('reset-password-link-spent');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('changes the email: a confirmation link to the new address, a notice to the old; confirming ends the session and the new address signs in', async () => {
    const [before, after] = [uniqueEmail('browser-old'), uniqueEmail('browser-new')];
    const p = await (await newPage()).open(app.url);
    p.watch.allow('POST', '/auth/email/change', 401).allow('POST', '/auth/login', 401).allow('POST', '/auth/email/confirm-change', 400);
    await p.signUp(before);
    expect(await p.emailForm.isVisible(), 'the form opens on demand').to.equal(false);
    await p.page.getByRole('button', { name: 'Change email' }).click();
    await p.emailForm.waitFor({ state: 'visible' });
    expect(await isFocused(p.emailForm.getByLabel('New email'))).to.equal(true);

    await p.emailForm.getByLabel('New email').fill(after);
    await p.emailForm.getByLabel('Current password').fill('not my password');
    await p.emailForm.getByRole('button', { name: 'Send confirmation link' }).click();
    expect(await p.shown()).to.equal('The current password is not correct.');
    expect(await isFocused(p.emailForm.getByLabel('Current password'))).to.equal(true);
    await p.expectMessageAbove(p.emailForm);
    await p.capture('change-email-wrong-password');

    await p.emailForm.getByLabel('Current password').fill(GOOD_PASSWORD);
    await p.emailForm.getByRole('button', { name: 'Send confirmation link' }).click();
    expect(await p.shown()).to.equal(`Check ${after} for a confirmation link.`);
    expect(await p.emailForm.isVisible(), 'the form closes').to.equal(false);
    await p.capture('change-email-sent');

    const notice = await mailTo(before, /change of your .* email address was requested/);
    expect(notice.text).to.contain(after);
    const link = linkIn(await mailTo(after, /Confirm your new email address/), 'confirm-email');
    await scan(link);
    await openLink(p, link, '#confirm-form');
    const confirm = p.page.getByRole('button', { name: 'Confirm new email' });
    expect(await isFocused(confirm)).to.equal(true);
    await p.capture('confirm-email');
    await confirm.click();
    await p.signInForm.waitFor({ state: 'visible' });
    expect(await p.shown()).to.equal(`Your email is now ${after}; sign in again.`);
    expect(await p.signedIn.isVisible()).to.equal(false);
    expect(await p.signInForm.getByLabel('Email').inputValue()).to.equal(after);
    expect(await isFocused(p.signInForm.getByLabel('Password'))).to.equal(true);
    await p.capture('confirm-email-done');
    await mailTo(before, /email address was changed/);

    await p.signIn(before, GOOD_PASSWORD);
    expect(await p.shown()).to.equal('That email and password do not match.');
    await p.signIn(after, GOOD_PASSWORD);
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.page.locator('#user-name').innerText()).to.equal(after);
    expect(await p.emailState.innerText()).to.equal('verified');

    await openLink(p, link, '#confirm-form');
    await confirm.click();
    expect(await p.shown()).to.equal('This link is invalid or has expired.\nAsk for the change again from your account (sign in first).');
    expect(await p.signedIn.isVisible()).to.equal(true);
    await p.capture('confirm-email-link-spent');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('says so when a link page is opened without its token', async () => {
    const p = await (await newPage()).open(`${app.url}/reset-password`);
    expect(await p.shown()).to.equal('This link is incomplete.\nOpen it again from the mail, or copy the whole address into the browser.');
    expect(await p.signInForm.isVisible()).to.equal(true);
    await p.capture('link-incomplete');
    expect(p.watch.problems()).to.deep.equal([]);
  });
});
