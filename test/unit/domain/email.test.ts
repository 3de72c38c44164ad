import { expect } from 'chai';
import { domainToAscii, EMAIL_MAX_LENGTH, emailProblem, localPartOf, normalizeEmail, parseEmail, tryParseEmail } from '../../../src/domain/email.js';
import { ValidationFailedError } from '../../../src/domain/errors.js';

const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Every invisible format character (Unicode Cf) the review named, and more of the class. */
const FORMAT_CHARACTERS = [
  '\u00ad', // soft hyphen (IDNA would silently drop it)
  '\u061c', // Arabic letter mark
  '\u180e', // Mongolian vowel separator
  '\u200b', // zero width space (IDNA would silently drop it)
  '\u200c', // zero width non-joiner
  '\u200d', // zero width joiner
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u202a', // left-to-right embedding
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e', // right-to-left override: "moc.elpmaxe@" reads as another address
  '\u2060', // word joiner
  '\u2066', // isolates
  '\u2069',
  '\ufeff', // BOM / zero width no-break space: String.prototype.trim would remove it at the ends
  '\ufff9', // interlinear annotation anchor
  '\u{e0001}', // language tag
  '\u{e0041}', // tag Latin capital A
];

/** Control characters (Unicode Cc): C0, DEL and C1. */
const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009b', '\u009f'];

describe('domain: email', () => {
  describe('the canonical form', () => {
    it('trims surrounding white space and lower-cases', () => {
      expect(parseEmail('  Alice@Example.COM\t\n')).to.equal('alice@example.com');
      expect(parseEmail('\u00a0\u3000alice@example.com\u2028\r')).to.equal('alice@example.com');
    });

    it('leaves inner characters otherwise untouched', () => {
      expect(parseEmail('first.last+tag@sub.example.org')).to.equal('first.last+tag@sub.example.org');
    });

    it('is NFC: an address typed in NFD (e + U+0301) is the one typed precomposed (é)', () => {
      const nfc = parseEmail('jos\u00e9@example.com');
      const nfd = parseEmail('jose\u0301@example.com');
      expect(nfd).to.equal(nfc);
      expect(nfc).to.equal('jos\u00e9@example.com');
      expect([...nfc]).to.have.length('jos\u00e9@example.com'.length);
    });

    it('lower-cases non-ASCII letters too, in NFC and NFD alike (JOSÉ, JOSE + U+0301)', () => {
      expect(parseEmail('JOS\u00c9@EXAMPLE.COM')).to.equal('jos\u00e9@example.com');
      expect(parseEmail('JOSE\u0301@EXAMPLE.COM')).to.equal('jos\u00e9@example.com');
    });

    it('keeps an accent apart from its absence: josé and jose are two mailboxes', () => {
      expect(parseEmail('jos\u00e9@example.com')).not.to.equal(parseEmail('jose@example.com'));
    });

    it('stores an IDN domain in its ASCII form: bücher.de and xn--bcher-kva.de are one address', () => {
      const unicode = parseEmail('anna@b\u00fccher.de');
      expect(unicode).to.equal('anna@xn--bcher-kva.de');
      expect(parseEmail('anna@xn--bcher-kva.de')).to.equal(unicode);
    });

    for (const form of ['anna@B\u00dcCHER.DE', 'anna@XN--BCHER-KVA.DE', 'ANNA@Xn--Bcher-Kva.De', 'anna@bu\u0308cher.de', 'anna@b\u00fccher\u3002de', 'anna@b\u00fccher\uff0ede']) {
      it(`gives ${JSON.stringify(form)} the same stored form (case, NFD, ideographic and full-width dots)`, () => {
        expect(parseEmail(form)).to.equal('anna@xn--bcher-kva.de');
      });
    }

    it('keeps a Unicode local part (SMTPUTF8) as Unicode, only its domain in ASCII', () => {
      expect(parseEmail('J\u00fcrgen@M\u00fcnchen.de')).to.equal('j\u00fcrgen@xn--mnchen-3ya.de');
    });

    it('maps ß as IDNA 2008 does (nontransitional: faß.de is not fass.de)', () => {
      expect(parseEmail('a@fa\u00df.de')).to.equal('a@xn--fa-hia.de');
      expect(parseEmail('a@fass.de')).to.equal('a@fass.de');
    });

    it('is idempotent: the canonical form parses to itself', () => {
      for (const raw of ['  Alice@Example.COM ', 'jose\u0301@B\u00dcCHER.de', '\u0130@x.com', 'a@\u2603.com']) {
        const once = parseEmail(raw);
        expect(parseEmail(once)).to.equal(once);
      }
    });
  });

  describe('control and invisible characters: 400 anywhere', () => {
    for (const c of FORMAT_CHARACTERS) {
      it(`refuses the format character ${hex(c)} at the start, in the local part, in the domain and at the end`, () => {
        for (const email of [`${c}alice@example.com`, `ali${c}ce@example.com`, `alice@exa${c}mple.com`, `alice@example.com${c}`, `  ${c}alice@example.com  `]) {
          expect(emailProblem(email), JSON.stringify(email)).to.be.a('string');
          expect(tryParseEmail(email), JSON.stringify(email)).to.equal(null);
        }
      });
    }

    for (const c of CONTROL_CHARACTERS) {
      it(`refuses the control character ${hex(c)} anywhere, the ends included`, () => {
        for (const email of [`${c}alice@example.com`, `ali${c}ce@example.com`, `alice@exa${c}mple.com`, `alice@example.com${c}`]) {
          expect(emailProblem(email), JSON.stringify(email)).to.be.a('string');
        }
      });
    }

    it('refuses eight NULs, and an address cut short by a NUL', () => {
      expect(emailProblem('\u0000'.repeat(8))).to.be.a('string');
      expect(emailProblem('alice@example.com\u0000@evil.example')).to.be.a('string');
    });

    it('refuses CR, LF and tab inside an address (header injection), though they are trimmed around it', () => {
      expect(emailProblem('alice@example.com\r\nBcc: eve@example.com')).to.be.a('string');
      expect(emailProblem('ali\tce@example.com')).to.be.a('string');
      expect(emailProblem('alice\n@example.com')).to.be.a('string');
      expect(emailProblem('\r\nalice@example.com\r\n')).to.equal(null);
    });

    it('refuses a lone UTF-16 surrogate (it cannot be stored as UTF-8 without becoming U+FFFD)', () => {
      expect(emailProblem('\ud800@example.com')).to.be.a('string');
      expect(emailProblem('alice@exa\udfffmple.com')).to.be.a('string');
      expect(emailProblem('\u{1f600}@example.com')).to.equal(null); // a proper pair is one character
    });

    it('says why, in words a client can show', () => {
      expect(emailProblem('ali\u200bce@example.com')).to.match(/control|invisible/);
    });
  });

  describe('shape', () => {
    it('accepts ordinary addresses', () => {
      expect(emailProblem('alice@example.com')).to.equal(null);
      expect(emailProblem('first.last+tag@mail.sub.example.org')).to.equal(null);
      expect(emailProblem('a@b.co')).to.equal(null);
    });

    it('requires a value: empty or only white space', () => {
      expect(emailProblem('')).to.equal('is required');
      expect(emailProblem(' \t\n ')).to.equal('is required');
    });

    for (const bad of [
      'alice',
      'alice@',
      '@example.com',
      'a@b@example.com',
      '"a@b"@example.com',
      'alice@localhost',
      'al ice@example.com',
      'al\u00a0ice@example.com',
      'alice@exa mple.com',
      'alice@example.',
      'alice@example.com.',
      'alice@.com',
      'alice@example..com',
      'alice@-example.com',
      'alice@example-.com',
      'alice@ex_ample.com',
      'alice@[127.0.0.1]',
      'alice@127.0.0.1',
      'alice@0x7f.1',
      'alice@123.456',
      'alice@example.123',
    ]) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        expect(emailProblem(bad)).to.be.a('string');
      });
    }
  });

  describe('the domain: refused where URL would read it as something else', () => {
    // The WHATWG URL parser is the IDNA implementation: each of these would name another host there.
    for (const [domain, whatUrlWouldSee] of [
      ['evil.example/x.example.com', 'host evil.example, path /x.example.com'],
      ['evil.example\\x.example.com', 'a backslash is a slash to URL'],
      ['evil.example?.example.com', 'a query'],
      ['evil.example#.example.com', 'a fragment'],
      ['evil.example:25', 'a port'],
      ['exa%6dple.com', 'percent-decoded to example.com'],
      ['user@evil.example', 'user info'],
      ['ex\u2474.com', 'ex(1).com after IDNA mapping'],
    ]) {
      it(`refuses ${JSON.stringify(domain)} (${whatUrlWouldSee})`, () => {
        expect(domainToAscii(domain!)).to.equal(null);
        expect(emailProblem(`alice@${domain}`)).to.be.a('string');
      });
    }

    it('refuses what URL refuses: invalid punycode, a forbidden code point', () => {
      expect(domainToAscii('xn--zz.de')).to.equal(null);
      expect(domainToAscii('xn--.de')).to.equal(null);
      expect(domainToAscii('ex<a>.com')).to.equal(null);
      expect(domainToAscii('ex\u2100.com')).to.equal(null);
    });

    it('refuses a label over 63 characters and a name over 253', () => {
      expect(domainToAscii(`${'a'.repeat(63)}.com`)).to.equal(`${'a'.repeat(63)}.com`);
      expect(domainToAscii(`${'a'.repeat(64)}.com`)).to.equal(null);
      const label = 'a'.repeat(49);
      expect(domainToAscii(`${Array(5).fill(label).join('.')}.com`)).to.have.length(253);
      expect(domainToAscii(`${Array(5).fill(label).join('.')}.comm`)).to.equal(null);
    });

    it('answers the lower-case ASCII form of an upper-case or mixed-case domain', () => {
      expect(domainToAscii('XN--BCHER-KVA.DE')).to.equal('xn--bcher-kva.de');
      expect(domainToAscii('B\u00dcCHER.De')).to.equal('xn--bcher-kva.de');
    });

    it('answers the ASCII form of Unicode, emoji and right-to-left domains', () => {
      expect(domainToAscii('\u2603.com')).to.equal('xn--n3h.com');
      expect(domainToAscii('\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631')).to.equal('xn--mgbh0fb.xn--kgbechtv');
    });
  });

  describe('length', () => {
    it(`accepts ${EMAIL_MAX_LENGTH} characters once trimmed and refuses one more`, () => {
      const domain = '@example.com';
      expect(EMAIL_MAX_LENGTH).to.equal(254);
      expect(emailProblem(`  ${'a'.repeat(254 - domain.length)}${domain}  `)).to.equal(null);
      expect(emailProblem(`${'a'.repeat(255 - domain.length)}${domain}`)).to.match(/254/);
    });

    it('counts the stored form, in code points: a domain longer in punycode can pass the limit', () => {
      const domain = '@b\u00fccher.de'; // 10 characters, 17 as @xn--bcher-kva.de
      const local = 'a'.repeat(254 - 17);
      expect(emailProblem(`${local}@xn--bcher-kva.de`)).to.equal(null);
      expect(emailProblem(`${local}${domain}`)).to.equal(null);
      expect(emailProblem(`a${local}${domain}`)).to.match(/254/);
    });

    it('counts an astral character of the local part once', () => {
      const domain = '@example.com';
      expect(emailProblem(`${'\u{1f600}'.repeat(254 - domain.length)}${domain}`)).to.equal(null);
    });

    it('refuses a 100 KiB address quickly, and one padded by 50,000 inner spaces', () => {
      expect(emailProblem(`${'a'.repeat(100_000)}@example.com`)).to.match(/254/);
      expect(emailProblem(`a${' '.repeat(50_000)}b@example.com`)).to.be.a('string');
    });
  });

  describe('normalizeEmail (the throttle key)', () => {
    it('is the canonical form of a valid address', () => {
      expect(normalizeEmail(' Anna@B\u00fccher.DE ')).to.equal('anna@xn--bcher-kva.de');
    });

    it('is trimmed, NFC and lower-cased text for a refused one, so it never names a stored address', () => {
      expect(normalizeEmail(' ALI\u200bCE@example.com ')).to.equal('ali\u200bce@example.com');
      expect(normalizeEmail('nope')).to.equal('nope');
    });
  });

  describe('parseEmail', () => {
    it('answers the canonical email', () => {
      expect(parseEmail(' Bob@Example.com ')).to.equal('bob@example.com');
    });

    it('throws VALIDATION_FAILED naming the given field', () => {
      let error: unknown;
      try {
        parseEmail('nope', 'newEmail');
      } catch (e) {
        error = e;
      }

      expect(error).to.be.instanceOf(ValidationFailedError);
      expect((error as ValidationFailedError).code).to.equal('VALIDATION_FAILED');
      expect((error as ValidationFailedError).errors.map((e) => e.field)).to.deep.equal(['newEmail']);
    });
  });

  it('localPartOf answers what comes before the @', () => {
    expect(localPartOf(parseEmail('J\u00fcrgen@b\u00fccher.de'))).to.equal('j\u00fcrgen');
  });
});
