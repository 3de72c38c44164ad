import { expect } from 'chai';
import { cleanDisplayName, displayNameProblem, NAME_MAX_CODE_POINTS, parseDisplayName } from '../../../src/domain/display-name.js';
import { ValidationFailedError } from '../../../src/domain/errors.js';

const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

const REFUSED = ['\u0000', '\u0009', '\u000a', '\u000d', '\u001b', '\u007f', '\u0085', '\u009b', '\u00ad', '\u200b', '\u200d', '\u200e', '\u202e', '\u2066', '\ufeff', '\u{e0001}'];

describe('domain: display name', () => {
  it('accepts up to 100 code points and refuses 101', () => {
    expect(NAME_MAX_CODE_POINTS).to.equal(100);
    expect(displayNameProblem('n'.repeat(100))).to.equal(null);
    expect(displayNameProblem('n'.repeat(101))).to.match(/100/);
  });

  it('counts code points, not UTF-16 units: 100 emoji are accepted, 101 are not', () => {
    expect(displayNameProblem('😀'.repeat(100))).to.equal(null);
    expect(displayNameProblem('😀'.repeat(101))).to.be.a('string');
  });

  it('accepts an empty name, accents, scripts and combining marks as given', () => {
    expect(displayNameProblem('')).to.equal(null);
    expect(parseDisplayName('Zoë 漢字 Ångström e\u0301 مثال')).to.equal('Zoë 漢字 Ångström e\u0301 مثال');
  });

  for (const c of REFUSED) {
    it(`refuses ${hex(c)} (a control or format character) anywhere`, () => {
      expect(displayNameProblem(`${c}Ada`)).to.be.a('string');
      expect(displayNameProblem(`Ada${c}Lovelace`)).to.be.a('string');
      expect(displayNameProblem(`Ada${c}`)).to.be.a('string');
    });
  }

  it('refuses the forged log line and the terminal escape the review found', () => {
    expect(displayNameProblem('Ada\r\n{"level":50,"msg":"admin signed in"}')).to.be.a('string');
    expect(displayNameProblem('\u001b[2J\u001b[31mAda')).to.be.a('string');
  });

  it('refuses a lone surrogate', () => {
    expect(displayNameProblem('Ada \ud800')).to.be.a('string');
  });

  describe('parseDisplayName', () => {
    it('answers null for an absent name', () => {
      expect(parseDisplayName(undefined)).to.equal(null);
      expect(parseDisplayName(null)).to.equal(null);
    });

    it('throws VALIDATION_FAILED naming the field', () => {
      expect(() => parseDisplayName('Ada\n', 'name'))
        .to.throw(ValidationFailedError)
        .with.property('errors')
        .that.deep.equals([{ field: 'name', message: 'must not contain control characters or invisible formatting characters' }]);
    });
  });

  describe('cleanDisplayName (names from a provider: cleaned, never refused)', () => {
    it('removes control and format characters and keeps the rest', () => {
      expect(cleanDisplayName('Mona\r\n\u001b[31m Octo\u200bcat\u202e')).to.equal('Mona[31m Octocat');
    });

    it('cuts to 100 code points after cleaning, never inside a surrogate pair', () => {
      expect(cleanDisplayName('😀'.repeat(150))).to.equal('😀'.repeat(100));
      expect(cleanDisplayName(`${'\u200b'.repeat(50)}${'n'.repeat(120)}`)).to.equal('n'.repeat(100));
    });

    it('answers null for null and for a name with nothing left', () => {
      expect(cleanDisplayName(null)).to.equal(null);
      expect(cleanDisplayName('\u200b\u0000\u202e')).to.equal(null);
    });

    it('leaves an acceptable name as it is', () => {
      expect(cleanDisplayName('Mona Lisa Octocat')).to.equal('Mona Lisa Octocat');
      expect(displayNameProblem(cleanDisplayName('\u0007'.repeat(3) + 'ok'.repeat(80))!)).to.equal(null);
    });
  });
});
