import { expect } from 'chai';
import { EMAIL_MAX_LENGTH, emailProblem, normalizeEmail, parseEmail } from '../../../src/domain/email.js';
import { ValidationFailedError } from '../../../src/domain/errors.js';

describe('domain: email', () => {
  describe('normalizeEmail', () => {
    it('trims surrounding whitespace and lower-cases', () => {
      expect(normalizeEmail('  Alice@Example.COM\t\n')).to.equal('alice@example.com');
    });

    it('leaves inner characters otherwise untouched', () => {
      expect(normalizeEmail('first.last+tag@sub.example.org')).to.equal('first.last+tag@sub.example.org');
    });
  });

  describe('emailProblem', () => {
    it('accepts an ordinary address', () => {
      expect(emailProblem('alice@example.com')).to.equal(null);
      expect(emailProblem('first.last+tag@mail.sub.example.org')).to.equal(null);
    });

    it('requires a value', () => {
      expect(emailProblem('')).to.be.a('string');
    });

    it(`accepts ${EMAIL_MAX_LENGTH} characters and refuses one more`, () => {
      const domain = '@example.com';
      expect(EMAIL_MAX_LENGTH).to.equal(254);
      expect(emailProblem(`${'a'.repeat(254 - domain.length)}${domain}`)).to.equal(null);
      expect(emailProblem(`${'a'.repeat(255 - domain.length)}${domain}`)).to.be.a('string');
    });

    for (const bad of ['alice', 'alice@', '@example.com', 'a@b@example.com', 'alice@localhost', 'al ice@example.com', 'alice@example.', 'alice@.com']) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        expect(emailProblem(bad)).to.be.a('string');
      });
    }
  });

  describe('parseEmail', () => {
    it('answers the normalised email', () => {
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
});
