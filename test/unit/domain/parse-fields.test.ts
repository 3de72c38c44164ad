import { expect } from 'chai';
import { parseEmail } from '../../../src/domain/email.js';
import { ValidationFailedError } from '../../../src/domain/errors.js';
import { parseFields } from '../../../src/domain/parse-fields.js';
import { parseNewPassword } from '../../../src/domain/password.js';

describe('domain: parseFields', () => {
  it('answers every value when every field parses', () => {
    expect(parseFields(() => parseEmail('A@Example.com'), () => parseNewPassword('correct horse'))).to.deep.equal(['a@example.com', 'correct horse']);
  });

  it('lists every failing field in one ValidationFailedError, in order', () => {
    const parse = () => parseFields(() => parseEmail('nope'), () => 'fine', () => parseNewPassword('short', 'newPassword'));
    expect(parse).to.throw(ValidationFailedError).with.property('errors').that.satisfies((errors: Array<{ field: string }>) => errors.map((e) => e.field).join() === 'email,newPassword');
  });

  it('lets any other error through as it is', () => {
    const boom = new Error('boom');
    expect(() =>
      parseFields(
        () => parseEmail('nope'),
        () => {
          throw boom;
        },
      ),
    ).to.throw(boom);
  });
});
