import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEMPLATE_DIR, loadMailTemplates, MAIL_TEMPLATE_NAMES } from '../../../../src/adapters/mail/mail-templates.js';
import { describeDuration, renderMail } from '../../../../src/adapters/mail/render-mail.js';
import { parseEmail } from '../../../../src/domain/email.js';
import type { AccountMail } from '../../../../src/domain/ports/mailer.js';
import { ALICE, ALICE_NEW, ONE_OF_EACH, SETTINGS, TOKEN } from './fixtures.js';

const LINKS = {
  verify_email: `https://auth.acme.test/verify-email#token=${TOKEN}`,
  reset_password: `https://auth.acme.test/reset-password#token=${TOKEN}`,
  confirm_email_change: `https://auth.acme.test/confirm-email#token=${TOKEN}`,
} as const;

describe('renderMail', () => {
  for (const name of MAIL_TEMPLATE_NAMES) {
    describe(name, () => {
      const mail = ONE_OF_EACH[name];
      const rendered = renderMail(mail, SETTINGS);

      it('is addressed to the mail\'s recipient and names the product in its subject', () => {
        expect(rendered.to).to.equal(mail.to);
        expect(rendered.subject).to.include('Acme Login');
        expect(rendered.subject).not.to.match(/\{\{|\}\}|[\r\n]/);
      });

      it('has a plain-text part and an HTML part, every placeholder filled', () => {
        for (const part of [rendered.text, rendered.html]) {
          expect(part.trim()).not.to.equal('');
          expect(part).not.to.match(/\{\{|\}\}/);
          expect(part).to.include('Acme Login');
        }
        expect(rendered.html).to.match(/<p>/);
        expect(rendered.text).not.to.match(/<p>/);
      });

      it("says what to do if it wasn't you", () => {
        expect(rendered.text).to.match(/if (it wasn't you|you did not)/i);
      });

      if (name in LINKS) {
        const link = LINKS[name as keyof typeof LINKS];
        it('carries the link with the token in the fragment only, in both parts', () => {
          expect(rendered.text).to.include(link);
          expect(rendered.html).to.include(`href="${link}"`);
          const url = new URL(link);
          expect(url.search).to.equal('');
          expect(url.pathname).not.to.include(TOKEN);
        });
      } else {
        it('carries no link and no token', () => {
          expect(rendered.text + rendered.html).not.to.include('#token=');
        });
      }
    });
  }

  it('tells how long each link works: 24 hours to verify, 30 minutes to reset', () => {
    expect(renderMail(ONE_OF_EACH.verify_email, SETTINGS).text).to.include('24 hours');
    expect(renderMail(ONE_OF_EACH.reset_password, SETTINGS).text).to.include('30 minutes');
    expect(renderMail(ONE_OF_EACH.reset_password, SETTINGS).html).to.include('30 minutes');
    expect(renderMail(ONE_OF_EACH.confirm_email_change, SETTINGS).text).to.include('24 hours');
  });

  it('describes lifetimes from seconds', () => {
    expect([86_400, 3600, 1800, 60, 90, 1].map(describeDuration)).to.deep.equal(['24 hours', '1 hour', '30 minutes', '1 minute', '90 seconds', '1 second']);
  });

  it('names both addresses in the change mails', () => {
    for (const mail of [ONE_OF_EACH.email_change_requested, ONE_OF_EACH.email_changed]) {
      const { text, html } = renderMail(mail, SETTINGS);
      expect(text).to.include(ALICE).and.include(ALICE_NEW);
      expect(html).to.include(ALICE).and.include(ALICE_NEW);
    }
  });

  it('drops a trailing slash from the link base URL', () => {
    const { text } = renderMail(ONE_OF_EACH.verify_email, { ...SETTINGS, linkBaseUrl: 'https://auth.acme.test/app/' });
    expect(text).to.include(`https://auth.acme.test/app/verify-email#token=${TOKEN}`);
  });

  it('escapes a hostile address and product name in the HTML part (and leaves the text part as written)', () => {
    const hostile = parseEmail('<script>alert(1)</script>@example.com');
    const settings = { ...SETTINGS, appName: 'Acme <script>x()</script> & "Co"' };
    const mails: AccountMail[] = [
      { template: 'verify_email', to: hostile, token: TOKEN },
      { template: 'email_changed', to: ALICE, newEmail: hostile },
      { template: 'password_changed', to: hostile },
    ];
    for (const mail of mails) {
      const { html, text, subject } = renderMail(mail, settings);
      expect(html).not.to.include('<script>');
      expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;@example.com');
      expect(html).to.include('Acme &lt;script&gt;x()&lt;/script&gt; &amp; &quot;Co&quot;');
      expect(text).to.include('<script>alert(1)</script>@example.com');
      expect(subject).to.include('Acme <script>x()</script> & "Co"');
    }
  });

  it('escapes the token in the link (a token is opaque: it must not break out of the attribute)', () => {
    const { html } = renderMail({ template: 'reset_password', to: ALICE, token: 'a"b<c' }, SETTINGS);
    expect(html).not.to.include('a"b<c');
    expect(html).to.include('#token=a%22b%3Cc');
  });
});

describe('loadMailTemplates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mail-templates-'));
    cpSync(DEFAULT_TEMPLATE_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const editSubject = (name: string, subject: string) => {
    const subjects = JSON.parse(readFileSync(join(dir, 'subjects.json'), 'utf8')) as Record<string, string>;
    writeFileSync(join(dir, 'subjects.json'), JSON.stringify({ ...subjects, [name]: subject }));
  };
  const expectRefused = (pattern: RegExp) => {
    expect(() => loadMailTemplates(dir)).to.throw(pattern).with.property('code', 'INVALID_MAIL_TEMPLATE');
  };

  it('reads a deployer\'s edited copy of the folder', () => {
    writeFileSync(join(dir, 'password_changed.txt'), 'Changed at {{appName}} for {{email}}. Not you? Write to us.');
    const templates = loadMailTemplates(dir);
    expect(renderMail(ONE_OF_EACH.password_changed, SETTINGS, templates).text).to.equal('Changed at Acme Login for alice@example.com. Not you? Write to us.');
  });

  it('refuses a subject that does not name the product', () => {
    editSubject('reset_password', 'Reset your password');
    expectRefused(/reset_password: the subject must name the product/);
  });

  it('refuses an unknown placeholder (a typo would send {{linkk}} as written)', () => {
    writeFileSync(join(dir, 'verify_email.html'), '<p><a href="{{linkk}}">go</a> {{link}}</p>');
    expectRefused(/verify_email: the html names \{\{linkk\}\}/);
  });

  it('refuses a link mail whose part does not show the link', () => {
    writeFileSync(join(dir, 'reset_password.txt'), 'Reset your {{appName}} password somehow.');
    expectRefused(/reset_password: the text part must show \{\{link\}\}/);
  });

  it('refuses a missing file or subject, naming it', () => {
    rmSync(join(dir, 'email_changed.html'));
    expectRefused(/email_changed\.html cannot be read/);
  });
});
