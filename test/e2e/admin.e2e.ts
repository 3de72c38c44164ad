import { expect } from 'chai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { TOKENS } from '../../src/composition/tokens.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { parseRoles } from '../../src/domain/role.js';
import { chromiumOrSkip, isFocused } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import { AccountPage } from './account-page.js';

const NEW_PASSWORD = 'a brand new passphrase';

/** The admin page as a person finds their way on it: the search box, the users found, the chosen user's card. */
class AdminPage {
  constructor(readonly account: AccountPage) {}
  get page(): Page {
    return this.account.page;
  }
  get details(): Locator {
    return this.page.locator('#details');
  }
  get searchBox(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search users' });
  }
  /** The users found, each a button named by what it shows. */
  user(email: string): Locator {
    return this.page.getByRole('list', { name: 'Users found' }).getByRole('button', { name: email });
  }
  /** A fact of the chosen user, as its card shows it ("Sessions" → "1"). */
  fact(term: string): Promise<string> {
    return this.details.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]').innerText();
  }
  async search(q: string): Promise<void> {
    await this.searchBox.fill(q);
    await this.page.getByRole('button', { name: 'Search', exact: true }).click();
  }
  /** The message once it says `text`. */
  async says(text: string): Promise<string> {
    await this.page.locator('#message', { hasText: text }).waitFor({ state: 'visible' });
    return this.account.shown();
  }
}

describe('the admin page and the security activity in a real browser', function () {
  this.timeout(60_000);
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await chromiumOrSkip(this, 'admin browser test');
    app = await startTestApp({ env: { EMAIL_VERIFICATION: 'off', REGISTER_PER_IP_PER_HOUR: '1000000' } });
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A page in a browser of its own (its own cookies), as a second person would have. */
  async function newPerson(): Promise<AccountPage> {
    const context = await browser.newContext({ viewport: { width: 720, height: 900 } });
    contexts.push(context);
    return new AccountPage(await context.newPage());
  }

  /** An account with the admin role (given straight in the store, as `npm run admin -- grant` does), signed in on the account page. */
  async function signedInAdmin(): Promise<AccountPage> {
    const { email, user } = await register(app.url, uniqueEmail('admin'));
    await app.container.resolve<UserRepository>(TOKENS.UserRepository).update(user.id, { roles: parseRoles(['admin']) });
    const p = await (await newPerson()).open(app.url);
    await p.signIn(email, GOOD_PASSWORD);
    await loaded(p);
    return p;
  }

  const activity = (p: AccountPage) => p.page.getByRole('list', { name: 'Recent security activity' }).getByRole('listitem');
  /** The signed-in view with its activity listed (leaving earlier would abort that request, as a person's click away would). */
  const loaded = (p: AccountPage) => activity(p).first().waitFor({ state: 'visible' });
  const adminLink = (p: AccountPage) => p.page.getByRole('link', { name: 'Administration' });

  it('lists the sign-up, a wrong password and the sign-in in plain words, newest first, with the device; no admin link for a non-admin', async () => {
    const p = await (await newPerson()).open(app.url);
    const email = uniqueEmail('activity');
    await p.signUp(email, 'Ada Lovelace');
    await p.page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await p.signInForm.waitFor({ state: 'visible' });
    p.watch.allow('POST', '/auth/login', 401);
    await p.signIn(email, 'not the password');
    expect(await p.shown()).to.equal('That email and password do not match.');
    await p.signIn(email, GOOD_PASSWORD);
    await p.signedIn.waitFor({ state: 'visible' });

    await p.page.getByRole('heading', { name: 'Recent security activity' }).waitFor({ state: 'visible' });
    await activity(p).first().waitFor({ state: 'visible' });
    const lines = await activity(p).allInnerTexts();
    const whats = lines.map((l) => l.split('\n')[0]);
    expect(whats).to.deep.equal(['Signed in with password', 'Wrong password', 'Signed out', 'Account created']);
    const where = lines.map((l) => l.split('\n')[1]);
    // Signing out names no device: the refresh token that ended it is all the service saw of it.
    expect(where, 'when, on which device, from where').to.deep.equal(['just now · Chrome on Linux · 127.0.0.1', 'just now · Chrome on Linux · 127.0.0.1', 'just now', 'just now · Chrome on Linux · 127.0.0.1']);
    expect(await adminLink(p).isVisible(), 'the admin link').to.equal(false);
    await p.capture('activity-signed-in');
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('tells a visitor who is not signed in, and a user without the role, why the admin page shows nothing', async () => {
    const visitor = await newPerson();
    await visitor.page.goto(`${app.url}/admin`);
    await visitor.page.getByRole('heading', { name: 'You are not signed in' }).waitFor({ state: 'visible' });
    expect(await visitor.page.getByRole('link', { name: 'Sign in on the account page' }).isVisible()).to.equal(true);
    expect(await visitor.page.getByRole('searchbox').count(), 'no search box').to.equal(0);
    await visitor.capture('admin-not-signed-in');
    expect(visitor.watch.problems()).to.deep.equal([]);

    const plain = await (await newPerson()).open(app.url);
    await plain.signUp(uniqueEmail('plain'));
    await loaded(plain);
    plain.watch.allow('GET', '/admin/users', 403);
    await plain.page.goto(`${app.url}/admin`);
    await plain.page.getByRole('heading', { name: 'You need the admin role' }).waitFor({ state: 'visible' });
    expect(await plain.page.getByRole('searchbox').isVisible(), 'the search box').to.equal(false);
    expect(await plain.page.locator('#message').isVisible(), 'no error on top').to.equal(false);
    await plain.capture('admin-forbidden');
    expect(plain.watch.problems()).to.deep.equal([]);
  });

  it('lets an admin find a user by part of the email, disable it (its browser is signed out, its password refused), enable it and end its sessions', async () => {
    const marker = `target${Date.now().toString(36)}`;
    const target = await (await newPerson()).open(app.url);
    const targetEmail = uniqueEmail(marker);
    await target.signUp(targetEmail, 'Grace Hopper');

    const admin = await signedInAdmin();
    await adminLink(admin).waitFor({ state: 'visible' });
    await admin.capture('admin-link-on-account');
    await adminLink(admin).click();
    const a = new AdminPage(admin);
    await a.searchBox.waitFor({ state: 'visible' });
    expect(await isFocused(a.searchBox), 'focus in the search box').to.equal(true);
    await admin.capture('admin-list');

    await a.search(marker);
    await admin.page.getByText('1 user shown.').waitFor({ state: 'visible' });
    expect(await admin.page.getByRole('list', { name: 'Users found' }).getByRole('listitem').count()).to.equal(1);
    expect(await a.user(targetEmail).innerText()).to.match(/Grace Hopper · last sign-in just now/);
    await a.user(targetEmail).click();
    await a.details.getByRole('heading', { name: targetEmail }).waitFor({ state: 'visible' });
    expect(await isFocused(a.details.getByRole('heading', { name: targetEmail })), 'focus on the chosen user').to.equal(true);
    expect(await a.fact('Sessions')).to.equal('1');
    expect(await a.fact('Status')).to.equal('Enabled');
    expect(await a.details.getByRole('listitem').first().innerText()).to.match(/^Account created\n/);
    await admin.capture('admin-user-details');

    await a.details.getByRole('button', { name: 'Disable' }).click();
    expect(await a.says('is disabled')).to.equal(`${targetEmail} is disabled: every session ended, and it cannot sign in.`);
    expect(await a.fact('Status')).to.equal('Disabled: cannot sign in');
    expect(await a.fact('Sessions')).to.equal('0');
    expect(await isFocused(a.details.getByRole('button', { name: 'Enable' })), 'focus stays on the button, now Enable').to.equal(true);
    expect(await a.user(targetEmail).innerText()).to.contain('disabled');
    await admin.capture('admin-user-disabled');

    // The target's own browser, signed in before: its next action finds the session gone.
    target.watch.allow('POST', '/auth/password', 401).allow('POST', '/auth/refresh', 401).allow('POST', '/auth/login', 403);
    await target.changePassword(GOOD_PASSWORD, NEW_PASSWORD);
    expect(await target.shown()).to.equal('Your session has ended. Please sign in again.');
    await target.signInForm.waitFor({ state: 'visible' });
    await target.signIn(targetEmail, GOOD_PASSWORD);
    await target.page.locator('#message', { hasText: 'disabled' }).waitFor({ state: 'visible' });
    expect(await target.shown()).to.equal('This account is disabled. Ask an administrator to enable it again.');
    expect(await target.signedIn.isVisible()).to.equal(false);
    await target.capture('disabled-sign-in');

    await a.details.getByRole('button', { name: 'Enable' }).click();
    expect(await a.says('enabled again')).to.equal(`${targetEmail} is enabled again and can sign in.`);
    expect(await a.fact('Status')).to.equal('Enabled');

    await target.signIn(targetEmail, GOOD_PASSWORD);
    await target.signedIn.waitFor({ state: 'visible' });
    await activity(target).first().waitFor({ state: 'visible' });
    expect(await target.passwordForm.getByLabel('Current password').inputValue(), 'the password typed before is gone').to.equal('');
    const whats = (await activity(target).allInnerTexts()).map((l) => l.split('\n'));
    expect(whats.slice(0, 4).map(([what]) => what)).to.deep.equal([
      'Signed in with password',
      'An administrator enabled the account',
      'Sign-in refused (the account is disabled)',
      'An administrator disabled the account',
    ]);
    expect(whats[1]?.[1], 'no device or address of the administrator').to.equal('just now');
    await target.capture('activity-after-admin');

    await a.fact('Sessions').then(() => a.details.getByRole('button', { name: 'End all sessions' }).click());
    expect(await a.says('was ended')).to.equal(`Every session of ${targetEmail} was ended: it must sign in again.`);
    expect(await a.fact('Sessions')).to.equal('0');
    expect(await a.details.getByRole('listitem').first().innerText()).to.match(/^An administrator ended every session \(1 session\)\n/);
    await admin.capture('admin-sessions-ended');

    target.watch.allow('POST', '/auth/logout-all', 401);
    await target.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    expect(await target.shown()).to.equal('Your session has ended. Please sign in again.');
    expect(target.watch.problems()).to.deep.equal([]);
    expect(admin.watch.problems()).to.deep.equal([]);
  });

  it('shows LAST_ADMIN in words when the only admin would disable itself, and pages the users with Load more', async () => {
    const admin = await signedInAdmin();
    const marker = `many${Date.now().toString(36)}`;
    for (let i = 0; i < 23; i++) await register(app.url, uniqueEmail(marker));
    await admin.page.goto(`${app.url}/admin`);
    const a = new AdminPage(admin);
    await a.search(marker);
    await admin.page.getByText('20 users shown, more to load.').waitFor({ state: 'visible' });
    await admin.page.getByRole('button', { name: 'Load more' }).click();
    await admin.page.getByText('23 users shown.').waitFor({ state: 'visible' });
    const found = admin.page.getByRole('list', { name: 'Users found' }).getByRole('button');
    expect(await isFocused(found.nth(20)), 'focus on the first user Load more brought').to.equal(true);
    expect(await admin.page.getByRole('button', { name: 'Load more' }).isVisible()).to.equal(false);
    await admin.capture('admin-load-more');

    // Every other admin of this app is demoted first, so this one is the last.
    const users = app.container.resolve<UserRepository>(TOKENS.UserRepository);
    const me = await admin.page.evaluate<{ id: string; email: string }>("fetch('/auth/me', { headers: { 'X-Auth-Mode': 'cookie' } }).then((r) => r.json())");
    for (const u of app.accounts?.users.values() ?? []) if (u.id !== me.id && (u.roles as readonly string[]).includes('admin')) await users.update(u.id, { roles: [] });
    await a.search(me.email);
    await a.user(me.email).click();
    admin.watch.allow('PATCH', `/admin/users/${me.id}`, 409);
    await a.details.getByRole('button', { name: 'Disable' }).click();
    expect(await a.says('no enabled administrator')).to.equal('That would leave no enabled administrator, so nothing was changed.');
    expect(await a.fact('Status')).to.equal('Enabled');
    await admin.capture('admin-last-admin');
    expect(admin.watch.problems()).to.deep.equal([]);
  });
});
