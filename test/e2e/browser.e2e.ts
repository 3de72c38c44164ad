import { expect } from 'chai';
import { chromiumSuite, decodedWidth, isFocused } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import { AccountPage } from './account-page.js';

const ACCESS_TTL_SECONDS = 2;
const MAX_FAILURES = 3;
const NEW_PASSWORD = 'a brand new passphrase';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';

describe('the account page in a real browser (cookie mode)', function () {
  this.timeout(60_000);
  let app: TestApp;
  const chromium = chromiumSuite('browser test');

  before(async function () {
    app = await startTestApp({ env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES) } });
  });
  after(async () => {
    await app?.close();
  });

  const newPage = async () => new AccountPage(await chromium.context.newPage());
  const cookieNames = async () => (await chromium.context.cookies()).map((c) => c.name).sort();

  it('shows one form at a time: sign-in first, sign-up on its tab, and back, with the icon loaded and no console error', async () => {
    const p = await (await newPage()).open(app.url);
    await p.signInForm.waitFor({ state: 'visible' });
    expect(await p.visibleForms()).to.equal(1);
    expect(await p.signUpForm.isVisible(), 'the sign-up form').to.equal(false);
    expect(await p.signedIn.isVisible(), 'the signed-in view').to.equal(false);
    expect(await p.message.isVisible(), 'an empty message box').to.equal(false);
    expect(await p.page.getByRole('tab', { selected: true }).innerText()).to.equal('Sign in');
    expect(await p.page.getByRole('button', { name: 'Create account' }).count(), 'the sign-up button').to.equal(0);
    await p.capture('signed-out-sign-in');

    await p.tab('Create account').click();
    await p.signUpForm.waitFor({ state: 'visible' });
    expect(await p.visibleForms()).to.equal(1);
    expect(await p.signInForm.isVisible(), 'the sign-in form').to.equal(false);
    expect(await p.page.getByRole('tab', { selected: true }).innerText()).to.equal('Create account');
    expect(await isFocused(p.signUpForm.getByLabel('Name')), 'focus on the first field').to.equal(true);
    await p.capture('signed-out-sign-up');

    await p.tab('Sign in').click();
    await p.signInForm.waitFor({ state: 'visible' });
    expect(await p.signUpForm.isVisible()).to.equal(false);
    expect(await isFocused(p.signInForm.getByLabel('Email'))).to.equal(true);

    // The icon the page links, and /favicon.ico, decode as images under the page's CSP.
    const icon = await p.page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).to.equal('/favicon.svg');
    const widths = [await decodedWidth(p.page, icon ?? ''), await decodedWidth(p.page, '/favicon.ico')];
    expect(widths.every((w) => w > 0), String(widths)).to.equal(true);
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('signs up, survives a reload, refreshes silently when the access token ran out, and signs out clearing every cookie', async () => {
    const shortLived = await startTestApp({ env: { ACCESS_TOKEN_TTL: String(ACCESS_TTL_SECONDS) } });
    try {
      const p = await (await newPage()).open(shortLived.url);
      const email = uniqueEmail('browser');
      await p.signUp(email, 'Ada Lovelace');
      expect(await p.page.locator('#user-name').innerText()).to.equal('Ada Lovelace');
      expect(await p.page.locator('#user-email').innerText()).to.equal(email);
      const forms = await p.page.locator('form').locator('visible=true').evaluateAll((all) => all.map((f) => f.getAttribute('aria-label')));
      expect(forms, 'only the passkey and password forms').to.deep.equal(['Add a passkey', 'Change password']);
      expect(await p.page.getByRole('tab').count(), 'no sign-in tabs').to.equal(0);

      expect(await cookieNames()).to.deep.equal(['access_token', 'csrf_token', 'refresh_token']);
      const cookies = await chromium.context.cookies();
      expect(cookies.find((c) => c.name === 'access_token')?.httpOnly).to.equal(true);
      expect(cookies.find((c) => c.name === 'refresh_token')?.httpOnly).to.equal(true);
      expect(cookies.find((c) => c.name === 'csrf_token')?.httpOnly).to.equal(false);

      await p.page.reload();
      await p.signedIn.waitFor({ state: 'visible' });
      expect(await p.page.locator('#user-email').innerText()).to.equal(email);
      await p.sessions.first().waitFor({ state: 'visible' });
      await p.capture('signed-in');

      // Outlive the access token: the page asks, is told the token is missing, refreshes once and stays signed in.
      p.watch.allow('GET', '/auth/me', 401);
      await p.page.waitForTimeout((ACCESS_TTL_SECONDS + 1.5) * 1000);
      const refreshed = p.page.waitForResponse((r) => r.url().endsWith('/auth/refresh') && r.status() === 200);
      await p.page.reload();
      await refreshed;
      await p.signedIn.waitFor({ state: 'visible' });
      expect(await p.page.locator('#user-email').innerText()).to.equal(email);

      await p.page.locator('#signed-in').getByRole('button', { name: 'Sign out', exact: true }).first().click();
      await p.signInForm.waitFor({ state: 'visible' });
      expect(await p.shown()).to.equal('Signed out.');
      expect(await p.signedIn.isVisible()).to.equal(false);
      expect(await isFocused(p.signInForm.getByLabel('Email'))).to.equal(true);
      expect(await cookieNames()).to.deep.equal([]);
      await p.capture('signed-out-message');
      expect(p.watch.problems()).to.deep.equal([]);
    } finally {
      await shortLived.close();
    }
  });

  it('names each session by its device, with the raw User-Agent on hover, and ends one', async () => {
    const p = await (await newPage()).open(app.url);
    const email = 'grace.hopper@example.com';
    await p.signUp(email, 'Grace Hopper');
    const ownAgent = await p.page.evaluate<string>('navigator.userAgent');
    for (const agent of [IPHONE, '']) {
      const res = await call(app.url, 'POST', '/auth/login', { json: { email, password: GOOD_PASSWORD }, headers: { 'user-agent': agent } });
      expect(res.status, res.text).to.equal(200);
    }
    await p.page.reload();
    await p.sessions.nth(2).waitFor({ state: 'visible' });

    expect(await p.sessions.count()).to.equal(3);
    const devices = (await p.page.locator('#sessions .device').allInnerTexts()).map((t) => t.trim());
    expect(devices.some((d) => /^Chrome on Linux\s*this device$/.test(d)), devices.join(' | ')).to.equal(true);
    expect(devices.filter((d) => d === 'Safari on iOS')).to.have.length(1);
    expect(devices.filter((d) => d === 'Unknown device')).to.have.length(1);
    expect(await p.page.locator('#sessions').innerText(), 'no raw User-Agent on screen').to.not.contain('Mozilla/5.0');
    expect(await p.page.getByTitle(IPHONE, { exact: true }).innerText()).to.equal('Safari on iOS');
    expect(await p.page.getByTitle(ownAgent, { exact: true }).innerText()).to.match(/^Chrome on Linux/);
    await p.capture('signed-in-sessions');

    await p.sessions.filter({ hasText: 'Safari on iOS' }).getByRole('button', { name: 'End' }).click();
    expect(await p.shown()).to.equal('Session ended.');
    await p.expectMessageAbove(p.page.locator('#sessions'));
    expect(await p.sessions.count()).to.equal(2);
    expect(await p.page.locator('#sessions').innerText()).to.not.contain('Safari on iOS');
    await p.capture('session-ended');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it(`costs one failed attempt per wrong current password: with LOGIN_MAX_FAILURES=${MAX_FAILURES}, two wrong tries still leave the right one working`, async () => {
    const p = await (await newPage()).open(app.url);
    p.watch.allow('POST', '/auth/password', 401);
    const email = uniqueEmail('browser-password-with-a-long-address');
    await p.signUp(email);
    expect(await p.page.locator('#user-name').innerText(), 'no name: the email is the title').to.equal(email);
    expect(await p.page.locator('#user-email').isVisible(), 'and is not shown twice').to.equal(false);
    const sent: string[] = [];
    p.page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path === '/auth/password' || path === '/auth/refresh') sent.push(`${r.method()} ${path}`);
    });

    for (let attempt = 1; attempt < MAX_FAILURES; attempt++) {
      const answer = p.page.waitForResponse((r) => r.url().endsWith('/auth/password'));
      await p.changePassword('not my password', NEW_PASSWORD);
      expect((await answer).status(), `attempt ${attempt}`).to.equal(401);
      const text = await p.shown();
      expect(text).to.equal('The current password is not correct.');
      expect(text).to.not.match(/email/i);
      await p.expectMessageAbove(p.passwordForm);
      expect(await isFocused(p.passwordForm.getByLabel('Current password')), 'focus back on the current password').to.equal(true);
      expect(await p.signedIn.isVisible(), 'still signed in').to.equal(true);
      if (attempt === 1) await p.capture('error-current-password');
    }
    expect(sent, 'one request per try, and no refresh').to.deep.equal(['POST /auth/password', 'POST /auth/password']);

    const answer = p.page.waitForResponse((r) => r.url().endsWith('/auth/password'));
    await p.changePassword(GOOD_PASSWORD, NEW_PASSWORD);
    expect((await answer).status(), 'the right password, not throttled').to.equal(200);
    expect(await p.shown()).to.equal('Password changed. Every other session was signed out.');
    expect(await p.passwordForm.getByLabel('Current password').inputValue(), 'the form is emptied').to.equal('');
    await p.capture('password-changed');

    await p.sessions.getByRole('button', { name: 'Sign out' }).click();
    await p.signInForm.waitFor({ state: 'visible' });
    expect(await cookieNames()).to.deep.equal([]);
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('says why a sign-in failed, next to the form, with focus where to correct it', async () => {
    const email = uniqueEmail('browser-errors');
    await register(app.url, email);
    const p = await (await newPage()).open(app.url);
    p.watch.allow('POST', '/auth/login', 401).allow('POST', '/auth/login', 429).allow('POST', '/auth/login', 'failed');

    await p.signIn(email, 'not my password');
    expect(await p.shown()).to.equal('That email and password do not match.');
    await p.expectMessageAbove(p.signInForm);
    expect(await isFocused(p.signInForm.getByLabel('Password'))).to.equal(true);
    expect(await p.visibleForms()).to.equal(1);
    await p.capture('error-sign-in');

    for (let i = 1; i < MAX_FAILURES; i++) {
      await p.signIn(email, 'not my password');
      expect(await p.shown()).to.equal('That email and password do not match.');
    }
    await p.signIn(email, GOOD_PASSWORD);
    expect(await p.shown()).to.match(/^Too many failed attempts\. Try again in \d+ (minutes|seconds)\.$/);
    expect(await p.signedIn.isVisible()).to.equal(false);
    await p.capture('error-too-many-attempts');

    await p.page.route('**/auth/login', (route) => route.abort('connectionrefused'));
    await p.signIn(email, GOOD_PASSWORD);
    expect(await p.shown()).to.equal('The service could not be reached. Check your connection and try again.');
    await p.capture('error-unreachable');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('says why a sign-up failed: a taken email, each invalid field by its label, a weak password with its reason', async () => {
    const taken = uniqueEmail('browser-taken');
    await register(app.url, taken);
    const p = await (await newPage()).open(app.url);
    p.watch.allow('POST', '/auth/register', 409).allow('POST', '/auth/register', 400);
    await p.tab('Create account').click();
    const form = p.signUpForm;
    const submit = form.getByRole('button', { name: 'Create account' });

    await form.getByLabel('Email').fill(taken);
    await form.getByLabel('Password').fill(GOOD_PASSWORD);
    await submit.click();
    expect(await p.shown()).to.equal('An account with this email already exists. Sign in instead.');
    await p.expectMessageAbove(form);
    expect(await isFocused(form.getByLabel('Email'))).to.equal(true);
    await p.capture('error-email-taken');

    await form.getByLabel('Email').fill('not-an-email');
    await form.getByLabel('Password').fill('short');
    await submit.click();
    const text = await p.shown();
    expect(text.split('\n')[0]).to.equal('Please check the form:');
    const items = await p.message.locator('li').allInnerTexts();
    expect(items.map((i) => i.split(':')[0])).to.deep.equal(['Email', 'Password']);
    expect(text).to.not.match(/\bemail:|\bpassword:/); // field names are shown as their labels
    expect(await isFocused(form.getByLabel('Email'))).to.equal(true);
    expect(await form.getByLabel('Email').getAttribute('aria-invalid')).to.equal('true');
    await p.capture('error-validation');

    // PASSWORD_TOO_WEAK (docs/http-api.md "Emails, passwords and names"), the service's own answer: the reason, by the field's label.
    await form.getByLabel('Email').fill(uniqueEmail('browser-weak'));
    await form.getByLabel('Password').fill('password1');
    await submit.click();
    expect(await p.shown()).to.equal('Please choose a stronger password.\nPassword: is among the 10,000 most common passwords');
    expect(await isFocused(form.getByLabel('Password'))).to.equal(true);
    await p.capture('error-password-too-weak');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('says, without blaming a password, when this network has signed up too often (REGISTER_PER_IP_PER_HOUR)', async () => {
    const limited = await startTestApp({ env: { REGISTER_PER_IP_PER_HOUR: '1' } });
    try {
      const p = await (await newPage()).open(limited.url);
      p.watch.allow('POST', '/auth/register', 429);
      await register(limited.url, uniqueEmail('browser-first-sign-up'));
      await p.tab('Create account').click();
      await p.signUpForm.getByLabel('Email').fill(uniqueEmail('browser-second-sign-up'));
      await p.signUpForm.getByLabel('Password').fill(GOOD_PASSWORD);
      await p.signUpForm.getByRole('button', { name: 'Create account' }).click();
      expect(await p.shown()).to.match(/^Too many sign-ups from this network\. Try again in \d+ minutes\.$/);
      await p.expectMessageAbove(p.signUpForm);
      expect(await p.signUpForm.isVisible()).to.equal(true);
      await p.capture('error-too-many-sign-ups');
      expect(p.watch.problems()).to.deep.equal([]);
    } finally {
      await limited.close();
    }
  });

  it('signs out and says so when the session was ended elsewhere, without a refresh that could not cure it', async () => {
    const p = await (await newPage()).open(app.url);
    p.watch.allow('POST', '/auth/password', 401).allow('POST', '/auth/refresh', 401).allow('POST', '/auth/logout', 403);
    await p.signUp(uniqueEmail('browser-ended'));

    // A refused CSRF check, as the service answers it.
    await p.page.route('**/auth/logout', (route) =>
      route.fulfill({ status: 403, contentType: 'application/problem+json', body: JSON.stringify({ status: 403, code: 'CSRF_FAILED', title: 'CSRF check failed', detail: 'x' }) }),
    );
    await p.page.locator('#signed-in').getByRole('button', { name: 'Sign out', exact: true }).first().click();
    expect(await p.shown()).to.equal('Your session could not be verified. Reload the page and try again.');
    expect(await p.signedIn.isVisible()).to.equal(true);
    await p.capture('error-csrf');

    const jar = await chromium.context.cookies();
    const value = (name: string) => jar.find((c) => c.name === name)?.value ?? '';
    const ended = await call(app.url, 'POST', '/auth/logout-all', {
      headers: { cookie: `access_token=${value('access_token')}; csrf_token=${value('csrf_token')}`, 'x-csrf-token': value('csrf_token') },
    });
    expect(ended.status, ended.text).to.equal(204);

    const sent: string[] = [];
    p.page.on('request', (r) => sent.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await p.changePassword(GOOD_PASSWORD, NEW_PASSWORD);
    await p.signInForm.waitFor({ state: 'visible' });
    expect(await p.shown()).to.equal('Your session has ended. Please sign in again.');
    expect(await p.signedIn.isVisible()).to.equal(false);
    // INVALID_TOKEN: the session is gone, which no refresh can cure (docs/tokens-and-modes.md): the page's client tries none.
    expect(sent).to.deep.equal(['POST /auth/password']);
    await p.capture('error-session-ended');
    expect(p.watch.problems()).to.deep.equal([]);
  });
});
