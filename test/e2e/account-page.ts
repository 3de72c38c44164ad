import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { PageWatch, screenshot } from '../support/browser.js';
import { GOOD_PASSWORD } from '../support/http.js';

/** The account page as a person finds their way on it: tabs, labelled fields, buttons, the message. */
export class AccountPage {
  readonly watch: PageWatch;
  constructor(readonly page: Page) {
    this.watch = new PageWatch(page);
  }

  tab(name: 'Sign in' | 'Create account'): Locator {
    return this.page.getByRole('tab', { name });
  }
  get signInForm(): Locator {
    return this.page.locator('#signin-form');
  }
  get signUpForm(): Locator {
    return this.page.locator('#signup-form');
  }
  get passwordForm(): Locator {
    return this.page.locator('#password-form');
  }
  get forgotForm(): Locator {
    return this.page.locator('#forgot-form');
  }
  get resetForm(): Locator {
    return this.page.locator('#reset-form');
  }
  get emailForm(): Locator {
    return this.page.locator('#email-form');
  }
  /** "verified" or "not verified", beside the address in the signed-in view. */
  get emailState(): Locator {
    return this.page.locator('#email-state');
  }
  get signedIn(): Locator {
    return this.page.locator('#signed-in');
  }
  get message(): Locator {
    return this.page.locator('#message');
  }
  get sessions(): Locator {
    return this.page.locator('#sessions li');
  }
  /** The second step of a sign-in. */
  get mfaForm(): Locator {
    return this.page.getByRole('form', { name: 'Two-step verification' });
  }
  get mfaCard(): Locator {
    return this.page.locator('#mfa-card');
  }
  /** "on" or "off", beside the card's title. */
  get mfaState(): Locator {
    return this.page.locator('#mfa-state');
  }
  get passkeysCard(): Locator {
    return this.page.locator('#passkeys-card');
  }
  /** The passkeys listed on the card, as a person reads each line. */
  get passkeys(): Locator {
    return this.page.getByRole('list', { name: 'Passkeys' }).getByRole('listitem');
  }
  get activity(): Locator {
    return this.page.getByRole('list', { name: 'Recent security activity' });
  }

  async open(url: string): Promise<this> {
    await this.page.goto(url);
    await this.page.locator('#signed-in, #signed-out').locator('visible=true').first().waitFor();
    return this;
  }

  async signUp(email: string, name?: string): Promise<void> {
    await this.tab('Create account').click();
    if (name) await this.signUpForm.getByLabel('Name').fill(name);
    await this.signUpForm.getByLabel('Email').fill(email);
    await this.signUpForm.getByLabel('Password').fill(GOOD_PASSWORD);
    await this.signUpForm.getByRole('button', { name: 'Create account' }).click();
    await this.signedIn.waitFor({ state: 'visible' });
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.signInForm.getByLabel('Email').fill(email);
    await this.signInForm.getByLabel('Password').fill(password);
    await this.signInForm.getByRole('button', { name: 'Sign in' }).click();
  }

  async signOut(): Promise<void> {
    await this.page.locator('#signout').click();
    await this.signInForm.waitFor({ state: 'visible' });
  }

  /** Types a code into the second step (or a card's code form) and submits it with `button`. */
  async enterCode(form: Locator, code: string, button: string): Promise<void> {
    await form.getByLabel(/Code/).fill(code);
    await form.getByRole('button', { name: button, exact: true }).click();
  }

  /** Turns TOTP on from the card, the short way (mfa.e2e.ts checks each screen of it): `codeOf` the key it shows. */
  async turnOnTotp(codeOf: (secret: string) => Promise<string>): Promise<string> {
    await this.mfaCard.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const key = this.page.locator('#totp-secret');
    await key.waitFor({ state: 'visible' });
    const secret = (await key.innerText()).replace(/\s/g, '');
    await this.enterCode(this.page.getByRole('form', { name: 'Confirm the authenticator app' }), await codeOf(secret), 'Turn on');
    await this.page.getByRole('button', { name: 'I have saved them' }).click();
    expect(await this.shown()).to.equal('Two-step verification is on.');
    return secret;
  }

  async changePassword(current: string, next: string): Promise<void> {
    await this.passwordForm.getByLabel('Current password').fill(current);
    await this.passwordForm.getByLabel('New password').fill(next);
    await this.passwordForm.getByRole('button', { name: 'Change password' }).click();
  }

  /** The message once it shows, as a person reads it. */
  async shown(): Promise<string> {
    await this.message.waitFor({ state: 'visible' });
    return (await this.message.innerText()).replace(/\n+/g, '\n').trim();
  }

  /** Checks nothing runs out of the page's column, then keeps a screenshot of this screen. */
  async capture(name: string): Promise<void> {
    const outside = await this.page.locator('main').evaluate((main) => {
      const column = main.getBoundingClientRect();
      const found: string[] = [];
      for (const el of main.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if ((r.width === 0 && r.height === 0) || el.tagName === 'INPUT') continue;
        const clipped = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
        if (clipped || r.left < column.left - 1 || r.right > column.right + 1) found.push(`<${el.tagName.toLowerCase()} id="${el.id}" class="${el.className}">: ${el.textContent?.slice(0, 40)}`);
      }
      return found;
    });
    expect(outside, `${name}: what runs out of the column`).to.deep.equal([]);
    await screenshot(this.page, name);
  }

  /** How many forms a person sees (the review found two at once). */
  visibleForms(): Promise<number> {
    return this.page.locator('form').locator('visible=true').count();
  }

  /** The message sits just above `target` and both are on screen. */
  async expectMessageAbove(target: Locator): Promise<void> {
    const [box, below] = [await this.message.boundingBox(), await target.boundingBox()];
    expect(box, 'the message is laid out').to.not.equal(null);
    expect(below, 'what it is about is laid out').to.not.equal(null);
    expect((box?.y ?? 0) + (box?.height ?? 0), 'the message ends above what it is about').to.be.at.most(below?.y ?? 0);
    expect((below?.y ?? 0) - ((box?.y ?? 0) + (box?.height ?? 0)), 'and is close to it').to.be.below(80);
  }
}
