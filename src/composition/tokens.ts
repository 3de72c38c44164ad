/** Injection tokens for everything that is not a concrete use-case class. */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Database: Symbol('Database'),
  UserRepository: Symbol('UserRepository'),
  IdentityRepository: Symbol('IdentityRepository'),
  UserCache: Symbol('UserCache'),
  TokenStore: Symbol('TokenStore'),
  PasswordHasher: Symbol('PasswordHasher'),
  TokenIssuer: Symbol('TokenIssuer'),
  JwtSettings: Symbol('JwtSettings'),
  SessionPolicy: Symbol('SessionPolicy'),
  Clock: Symbol('Clock'),
  IdGenerator: Symbol('IdGenerator'),
  Readiness: Symbol('Readiness'),
  Redis: Symbol('Redis'),
  LoginThrottle: Symbol('LoginThrottle'),
} as const;
