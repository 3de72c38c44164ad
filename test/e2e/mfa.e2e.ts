import { expect } from 'chai';
import { chromiumSuite, isFocused, VirtualAuthenticator } from '../support/browser.js';
import { startLocalhostApp, type TestApp } from '../support/app.js';
import { FixedClock } from '../support/fixed-clock.js';
import { GOOD_PASSWORD, uniqueEmail } from '../support/http.js';
import { otherCode, totpCodeAt } from '../support/totp.js';
import { AccountPage } from './account-page.js';

const codeAt = totpCodeAt;
const wrongCode = otherCode;

describe('two-step verification on the account page in a real browser', function () {
  this.timeout(60_000);
  let app: TestApp;
  const chromium = chromiumSuite('two-step verification browser test');
  // The service's clock, started at the real time (cookies expire by the browser's clock) and moved
  // by the test from one 30-second step to the next: a code is accepted once per step.
  const clock = new FixedClock(new Date());

  before(async function () {
    app = await startLocalhostApp({ clock });
  });
  after(async () => {
    await app?.close();
  });

  const newPage = async () => new AccountPage(await chromium.context.newPage());

  /** Turns TOTP on from the card as a person does: the QR code and key, a code, the recovery codes. */
  async function enrol(p: AccountPage, screenshots = false): Promise<{ secret: string; recoveryCodes: string[] }> {
    expect(await p.mfaState.innerText()).to.equal('off');
    await p.mfaCard.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const qr = p.mfaCard.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor({ state: 'visible' });
    // The QR code is a decoded image a phone can scan: square, and drawn at a readable size.
    const drawn = await qr.evaluate((el) => {
      const img = el as unknown as { naturalWidth: number; naturalHeight: number; getBoundingClientRect(): { width: number } };
      return { width: img.naturalWidth, height: img.naturalHeight, shown: img.getBoundingClientRect().width };
    });
    expect(drawn.width, 'the QR image decoded').to.be.above(20);
    expect(drawn.height).to.equal(drawn.width);
    expect(drawn.shown, 'shown at least 150 px wide').to.be.at.least(150);
    const key = await p.page.locator('#totp-secret').innerText();
    expect(key, 'the key, in groups of four').to.match(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    const secret = key.replace(/\s/g, '');
    const confirm = p.page.getByRole('form', { name: 'Confirm the authenticator app' });
    expect(await isFocused(confirm.getByLabel('Code from the app')), 'focus on the code').to.equal(true);
    if (screenshots) await p.capture('mfa-enrol-qr');

    // A wrong code says so, on the field, and turns nothing on.
    p.watch.allow('POST', '/auth/mfa/totp/confirm', 401);
    await p.enterCode(confirm, wrongCode(await codeAt(secret, clock.now())), 'Turn on');
    expect(await p.shown()).to.equal('That code is not right. Enter the code the app shows now.');
    expect(await isFocused(confirm.getByLabel('Code from the app'))).to.equal(true);
    expect(await p.mfaState.innerText()).to.equal('off');

    await p.enterCode(confirm, await codeAt(secret, clock.now()), 'Turn on');
    const list = p.page.getByRole('list', { name: 'Recovery codes' });
    await list.waitFor({ state: 'visible' });
    const recoveryCodes = await list.getByRole('listitem').allInnerTexts();
    expect(recoveryCodes).to.have.length(10);
    for (const c of recoveryCodes) expect(c).to.match(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await p.page.getByText('They are shown only this once.').isVisible()).to.equal(true);
    expect(await confirm.isVisible(), 'the confirm form is gone').to.equal(false);
    expect(await p.mfaState.innerText()).to.equal('on');
    if (screenshots) await p.capture('mfa-recovery-codes');

    await p.page.getByRole('button', { name: 'I have saved them' }).click();
    expect(await p.shown()).to.equal('Two-step verification is on.');
    expect(await list.isVisible(), 'the codes are gone from the page').to.equal(false);
    expect(await p.page.getByText(recoveryCodes[0] ?? '').count(), 'and from its text').to.equal(0);
    expect(await p.mfaCard.getByRole('button', { name: 'Turn off' }).isVisible()).to.equal(true);
    return { secret, recoveryCodes };
  }

  it('enrols TOTP with the QR code and key, then signs in with a code, a recovery code, and turns it off', async () => {
    const p = await (await newPage()).open(app.url);
    const email = uniqueEmail('totp-page');
    await p.signUp(email);
    const { secret, recoveryCodes } = await enrol(p, true);
    await p.activity.getByText('Two-step verification turned on').waitFor();
    await p.capture('mfa-card-on');

    // The password alone no longer signs in: the second step asks for a code.
    await p.signOut();
    p.watch.allow('POST', '/auth/login', 401).allow('POST', '/auth/mfa/verify', 401);
    await p.signIn(email, GOOD_PASSWORD);
    await p.mfaForm.waitFor({ state: 'visible' });
    expect(await p.signedIn.isVisible()).to.equal(false);
    expect(await p.signInForm.isVisible(), 'the password form is gone').to.equal(false);
    expect(await p.mfaForm.getByRole('heading').innerText()).to.equal('Two-step verification');
    expect(await isFocused(p.mfaForm.getByLabel('Code')), 'focus on the code').to.equal(true);
    expect(await p.visibleForms()).to.equal(1);
    await p.capture('mfa-sign-in-step');

    // The code of the step it was confirmed with is spent (replay); a wrong one is refused.
    await p.enterCode(p.mfaForm, await codeAt(secret, clock.now()), 'Verify');
    expect(await p.shown()).to.match(/^That code is not right, or it was already used\./);
    await p.enterCode(p.mfaForm, wrongCode(await codeAt(secret, clock.now())), 'Verify');
    expect(await p.shown()).to.match(/^That code is not right/);
    expect(await isFocused(p.mfaForm.getByLabel('Code'))).to.equal(true);
    await p.capture('mfa-sign-in-wrong-code');

    clock.advance(30);
    await p.enterCode(p.mfaForm, await codeAt(secret, clock.now()), 'Verify');
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.page.locator('#user-name').innerText()).to.equal(email);
    expect(await p.mfaState.innerText()).to.equal('on');
    await p.activity.getByText('Signed in, with a code from the authenticator app').waitFor();

    // A recovery code, typed in lower case without its dashes, works once.
    await p.signOut();
    await p.signIn(email, GOOD_PASSWORD);
    await p.mfaForm.waitFor({ state: 'visible' });
    await p.enterCode(p.mfaForm, (recoveryCodes[0] ?? '').replaceAll('-', '').toLowerCase(), 'Verify');
    await p.signedIn.waitFor({ state: 'visible' });
    await p.activity.getByText('Signed in, with a recovery code').waitFor();

    // Turning it off asks for a code; then the password alone signs in again.
    await p.mfaCard.getByRole('button', { name: 'Turn off' }).click();
    const off = p.page.getByRole('form', { name: 'Turn off two-step verification' });
    await off.waitFor({ state: 'visible' });
    expect(await isFocused(off.getByLabel('Code'))).to.equal(true);
    clock.advance(30);
    await p.enterCode(off, await codeAt(secret, clock.now()), 'Turn off two-step verification');
    expect(await p.shown()).to.equal('Two-step verification is off.');
    expect(await p.mfaState.innerText()).to.equal('off');
    expect(await p.mfaCard.getByRole('button', { name: 'Set up an authenticator app' }).isVisible()).to.equal(true);
    await p.activity.getByText('Two-step verification turned off').waitFor();
    await p.signOut();
    await p.signIn(email, GOOD_PASSWORD);
    await p.signedIn.waitFor({ state: 'visible' });
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('asks for the password again before enrolling when the sign-in is older than 10 minutes', async () => {
    const p = await (await newPage()).open(app.url);
    await p.signUp(uniqueEmail('totp-recent'));
    clock.advance(11 * 60);
    p.watch.allow('POST', '/auth/mfa/totp', 403).allow('POST', '/auth/mfa/totp', 401);
    await p.mfaCard.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const confirm = p.page.getByRole('form', { name: 'Confirm your password' });
    await confirm.waitFor({ state: 'visible' });
    expect(await isFocused(confirm.getByLabel('Current password'))).to.equal(true);
    await confirm.getByLabel('Current password').fill('not my password at all');
    await confirm.getByRole('button', { name: 'Continue' }).click();
    expect(await p.shown()).to.equal('The current password is not correct.');
    await confirm.getByLabel('Current password').fill(GOOD_PASSWORD);
    await confirm.getByRole('button', { name: 'Continue' }).click();
    await p.mfaCard.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor({ state: 'visible' });
    expect(await confirm.isVisible()).to.equal(false);
    expect(p.watch.problems()).to.deep.equal([]);
  });

  it('offers the passkey in the second step, and a passkey sign-in needs no code', async () => {
    const page = await chromium.context.newPage();
    await VirtualAuthenticator.on(page);
    const p = await new AccountPage(page).open(app.url);
    const email = uniqueEmail('totp-passkey');
    await p.signUp(email);
    await p.passkeysCard.getByRole('button', { name: 'Add a passkey' }).click();
    await p.passkeys.filter({ hasText: 'not used yet' }).waitFor();
    await p.turnOnTotp((secret) => codeAt(secret, clock.now()));

    await p.signOut();
    p.watch.allow('POST', '/auth/login', 401);
    await p.signIn(email, GOOD_PASSWORD);
    await p.mfaForm.waitFor({ state: 'visible' });
    await p.mfaForm.getByRole('button', { name: 'Use a passkey instead' }).click();
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.page.locator('#user-name').innerText()).to.equal(email);

    // From the sign-in form straight away: the passkey alone, no second step.
    await p.signOut();
    await p.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await p.signedIn.waitFor({ state: 'visible' });
    expect(await p.mfaForm.isVisible()).to.equal(false);
    expect(p.watch.problems()).to.deep.equal([]);
  });
});
