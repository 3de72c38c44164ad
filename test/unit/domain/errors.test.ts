import { expect } from 'chai';
import {
  DomainError,
  EmailAlreadyRegisteredError,
  InvalidCredentialsError,
  InvalidTokenError,
  ServiceUnavailableError,
  SessionNotFoundError,
  TokenExpiredError,
  TokenMissingError,
  ValidationFailedError,
} from '../../../src/domain/errors.js';

describe('domain: errors', () => {
  it('gives every error a stable UPPER_SNAKE code', () => {
    const errors: DomainError[] = [
      new ValidationFailedError([{ field: 'email', message: 'is required' }]),
      new InvalidCredentialsError(),
      new InvalidTokenError(),
      new TokenExpiredError(),
      new TokenMissingError(),
      new EmailAlreadyRegisteredError(),
      new SessionNotFoundError(),
      new ServiceUnavailableError('database'),
    ];

    expect(errors.map((e) => e.code)).to.deep.equal([
      'VALIDATION_FAILED',
      'INVALID_CREDENTIALS',
      'INVALID_TOKEN',
      'TOKEN_EXPIRED',
      'TOKEN_MISSING',
      'EMAIL_ALREADY_REGISTERED',
      'SESSION_NOT_FOUND',
      'SERVICE_UNAVAILABLE',
    ]);
    for (const error of errors) {
      expect(error).to.be.instanceOf(Error).and.instanceOf(DomainError);
      expect(error.code).to.match(/^[A-Z]+(_[A-Z]+)*$/);
    }
  });

  it('keeps every field problem of a validation failure, in order', () => {
    const problems = [
      { field: 'email', message: 'is required' },
      { field: 'password', message: 'must be at least 8 characters' },
    ];

    expect(new ValidationFailedError(problems).errors).to.deep.equal(problems);
  });

  it('gives the same message for every invalid-credentials failure', () => {
    expect(new InvalidCredentialsError().message).to.equal(new InvalidCredentialsError().message);
  });
});
