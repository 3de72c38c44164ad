import { expect } from 'chai';
import { loadConfig } from '../../../src/config/env.js';
import { configError } from '../../support/config.js';

const ACCESS = 'a'.repeat(32);
const REFRESH = 'r'.repeat(32);
/** A production environment that loads; each test takes one thing away or spoils it. */
const PRODUCTION = { NODE_ENV: 'production', JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH };


describe('config: loadConfig', () => {
  it('reads the environment it is given, not process.env', () => {
    const { config } = loadConfig({ PORT: '4321' });

    expect(config.port).to.equal(4321);
  });

  describe('defaults', () => {
    const { config } = loadConfig({});

    it('listens on 127.0.0.1:3000', () => {
      expect(config.port).to.equal(3000);
      expect(config.host).to.equal('127.0.0.1');
    });

    it('uses the embedded SQLite file and migrates on start', () => {
      expect(config.databaseUrl).to.equal('sqlite:data/dev.sqlite3');
      expect(config.migrateOnStart).to.equal(true);
      expect(config.redisUrl).to.equal(null);
    });

    it('uses the documented token lifetimes, grace and bcrypt cost', () => {
      expect(config.session).to.deep.equal({
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 2_592_000,
        sessionMaxAgeSeconds: 7_776_000,
        reuseGraceSeconds: 10,
      });
      expect(config.bcryptCost).to.equal(12);
    });

    it("uses 'auth-api' as issuer and audience, with HS256", () => {
      expect(config.jwt).to.include({ issuer: 'auth-api', audience: 'auth-api', algorithm: 'HS256' });
    });

    it('is not production, trusts no proxy, allows no CORS origin and has GitHub off', () => {
      expect(config.production).to.equal(false);
      expect(config.trustProxy).to.equal(false);
      expect(config.corsOrigins).to.deep.equal([]);
      expect(config.github).to.equal(null);
    });

    it('uses PUBLIC_URL http://localhost:3000, also as WEB_APP_URL', () => {
      expect(config.publicUrl).to.equal('http://localhost:3000');
      expect(config.webAppUrl).to.equal('http://localhost:3000');
    });

    it('uses the documented throttling limits', () => {
      expect(config.throttle).to.deep.equal({
        maxFailures: 5,
        windowSeconds: 900,
        ipMaxFailures: 100,
        accountMaxFailures: 100,
        registerPerIpPerHour: 30,
      });
    });

    it('uses the documented server limits, APP_NAME auth-api, metrics without token or port, and lets main pick the log format', () => {
      expect(config.limits).to.deep.equal({ headersTimeoutSeconds: 10, requestTimeoutSeconds: 30, maxConnections: 10_000, sessionsPerUserMax: 100 });
      expect(config.appName).to.equal('auth-api');
      expect(config.metrics).to.deep.equal({ token: null, port: null });
      expect(config.logFormat).to.equal(null);
    });
  });

  describe('JWT secrets', () => {
    it('in development without secrets: random keys and a warning naming each variable', () => {
      const { config, warnings } = loadConfig({});

      expect(warnings.some((w) => w.includes('JWT_ACCESS_SECRET'))).to.equal(true);
      expect(warnings.some((w) => w.includes('JWT_REFRESH_SECRET'))).to.equal(true);
      expect(Buffer.byteLength(config.jwt.accessSecret)).to.be.at.least(32);
      expect(Buffer.byteLength(config.jwt.refreshSecret)).to.be.at.least(32);
      expect(config.jwt.accessSecret).not.to.equal(config.jwt.refreshSecret);
    });

    it('in development: new random keys at every start', () => {
      const first = loadConfig({}).config.jwt;
      const second = loadConfig({}).config.jwt;

      expect(second.accessSecret).not.to.equal(first.accessSecret);
      expect(second.refreshSecret).not.to.equal(first.refreshSecret);
    });

    it('in development: a secret shorter than 32 bytes is replaced by a random key, with a warning naming it', () => {
      const { config, warnings } = loadConfig({ JWT_ACCESS_SECRET: 'short', JWT_REFRESH_SECRET: REFRESH });

      expect(config.jwt.accessSecret).not.to.equal('short');
      expect(config.jwt.refreshSecret).to.equal(REFRESH);
      expect(warnings.some((w) => w.includes('JWT_ACCESS_SECRET'))).to.equal(true);
      expect(warnings.some((w) => w.includes('JWT_REFRESH_SECRET'))).to.equal(false);
    });

    it('uses the given secrets as raw keys and warns about neither', () => {
      const { config, warnings } = loadConfig(PRODUCTION);

      expect(config.production).to.equal(true);
      expect(config.jwt).to.include({ accessSecret: ACCESS, refreshSecret: REFRESH });
      expect(warnings.filter((w) => w.includes('JWT_'))).to.deep.equal([]);
    });

    it('in production: refuses to start without JWT_ACCESS_SECRET, naming it', () => {
      const error = configError({ ...PRODUCTION, JWT_ACCESS_SECRET: undefined });

      expect(error.message).to.include('JWT_ACCESS_SECRET');
      expect(error.message).not.to.include('JWT_REFRESH_SECRET');
    });

    it('in production: refuses to start without JWT_REFRESH_SECRET, naming it', () => {
      const error = configError({ ...PRODUCTION, JWT_REFRESH_SECRET: undefined });

      expect(error.message).to.include('JWT_REFRESH_SECRET');
      expect(error.message).not.to.include('JWT_ACCESS_SECRET');
    });

    it('in production: names both secrets when both are missing', () => {
      const error = configError({ NODE_ENV: 'production' });

      expect(error.message).to.include('JWT_ACCESS_SECRET').and.include('JWT_REFRESH_SECRET');
      expect(error.problems).to.have.length.of.at.least(2);
    });

    it('in production: treats an empty secret as missing', () => {
      expect(configError({ ...PRODUCTION, JWT_ACCESS_SECRET: '   ' }).message).to.include('JWT_ACCESS_SECRET');
    });

    it('in production: refuses a secret of 31 bytes and accepts 32', () => {
      expect(configError({ ...PRODUCTION, JWT_ACCESS_SECRET: 'a'.repeat(31) }).message).to.include('JWT_ACCESS_SECRET');
      expect(configError({ ...PRODUCTION, JWT_REFRESH_SECRET: 'r'.repeat(31) }).message).to.include('JWT_REFRESH_SECRET');
      expect(loadConfig({ ...PRODUCTION, JWT_ACCESS_SECRET: 'b'.repeat(32) }).config.jwt.accessSecret).to.equal('b'.repeat(32));
    });

    it('in production: measures secrets in UTF-8 bytes, not characters', () => {
      expect(loadConfig({ ...PRODUCTION, JWT_ACCESS_SECRET: 'é'.repeat(16) }).config.jwt.accessSecret).to.equal('é'.repeat(16));
      expect(configError({ ...PRODUCTION, JWT_ACCESS_SECRET: 'é'.repeat(15) }).message).to.include('JWT_ACCESS_SECRET');
    });

    it('refuses equal access and refresh secrets, in production and in development', () => {
      const same = 's'.repeat(40);

      expect(configError({ ...PRODUCTION, JWT_ACCESS_SECRET: same, JWT_REFRESH_SECRET: same }).message).to.include('JWT_REFRESH_SECRET');
      expect(configError({ JWT_ACCESS_SECRET: same, JWT_REFRESH_SECRET: same }).message).to.include('JWT_REFRESH_SECRET');
    });
  });

  describe('numbers', () => {
    for (const value of ['3', '16', 'abc', '', '12.5', '-5']) {
      it(`refuses BCRYPT_COST=${JSON.stringify(value)}, naming the variable`, () => {
        expect(configError({ BCRYPT_COST: value }).message).to.include('BCRYPT_COST');
      });
    }

    it('accepts BCRYPT_COST from 4 to 15', () => {
      expect(loadConfig({ BCRYPT_COST: '4' }).config.bcryptCost).to.equal(4);
      expect(loadConfig({ BCRYPT_COST: '15' }).config.bcryptCost).to.equal(15);
    });

    it('reads the lifetimes and the grace, with 0 turning the grace off', () => {
      const { config } = loadConfig({ ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '3600', SESSION_MAX_AGE: '86400', REFRESH_REUSE_GRACE_SECONDS: '0' });

      expect(config.session).to.deep.equal({
        accessTokenTtlSeconds: 60,
        refreshTokenTtlSeconds: 3600,
        sessionMaxAgeSeconds: 86_400,
        reuseGraceSeconds: 0,
      });
    });

    for (const [name, value] of [
      ['PORT', 'http'],
      ['PORT', '65536'],
      ['ACCESS_TOKEN_TTL', '0'],
      ['REFRESH_TOKEN_TTL', 'forever'],
      ['SESSION_MAX_AGE', '-1'],
      ['REFRESH_REUSE_GRACE_SECONDS', 'ten'],
      ['LOGIN_MAX_FAILURES', '0'],
    ] as const) {
      it(`refuses ${name}=${JSON.stringify(value)}, naming the variable`, () => {
        expect(configError({ [name]: value }).message).to.include(name);
      });
    }

    it('reports every bad variable at once', () => {
      const error = configError({ BCRYPT_COST: '3', PORT: 'abc', ACCESS_TOKEN_TTL: 'x' });

      expect(error.message).to.include('BCRYPT_COST').and.include('PORT').and.include('ACCESS_TOKEN_TTL');
    });
  });

  describe('GitHub', () => {
    const GITHUB = {
      GITHUB_CLIENT_ID: 'client-id',
      GITHUB_CLIENT_SECRET: 'client-secret',
      GITHUB_CALLBACK_URL: 'http://localhost:3000/auth/github/callback',
    };

    it('is on when all three variables are set, with GitHub’s own endpoints by default', () => {
      const { github } = loadConfig(GITHUB).config;

      expect(github).to.deep.equal({
        clientId: 'client-id',
        clientSecret: 'client-secret',
        callbackUrl: 'http://localhost:3000/auth/github/callback',
        authorizeUrl: 'https://github.com/login/oauth/authorize',
        tokenUrl: 'https://github.com/login/oauth/access_token',
        apiUrl: 'https://api.github.com',
      });
    });

    it('takes configured endpoints, so tests can point it at a stand-in', () => {
      const { github } = loadConfig({
        ...GITHUB,
        GITHUB_AUTHORIZE_URL: 'http://127.0.0.1:9999/login/oauth/authorize',
        GITHUB_TOKEN_URL: 'http://127.0.0.1:9999/login/oauth/access_token',
        GITHUB_API_URL: 'http://127.0.0.1:9999/api',
      }).config;

      expect(github).to.include({
        authorizeUrl: 'http://127.0.0.1:9999/login/oauth/authorize',
        tokenUrl: 'http://127.0.0.1:9999/login/oauth/access_token',
        apiUrl: 'http://127.0.0.1:9999/api',
      });
    });

    for (const missing of Object.keys(GITHUB) as (keyof typeof GITHUB)[]) {
      it(`refuses a partial setup without ${missing}, naming the variables`, () => {
        const error = configError({ ...GITHUB, [missing]: undefined });

        expect(error.message).to.include(missing);
      });
    }

    it('refuses only one of the three', () => {
      const error = configError({ GITHUB_CLIENT_ID: 'client-id' });

      expect(error.message).to.include('GITHUB_CLIENT_SECRET').and.include('GITHUB_CALLBACK_URL');
    });
  });

  describe('CORS_ORIGINS', () => {
    it('splits on commas, trimming each origin and dropping empty ones', () => {
      const { config } = loadConfig({ CORS_ORIGINS: ' https://app.example.com, http://localhost:5173 ,, ' });

      expect(config.corsOrigins).to.deep.equal(['https://app.example.com', 'http://localhost:5173']);
    });

    it('allows no origin when empty', () => {
      expect(loadConfig({ CORS_ORIGINS: '' }).config.corsOrigins).to.deep.equal([]);
    });
  });

  it('uses WEB_APP_URL when set, instead of PUBLIC_URL', () => {
    const { config } = loadConfig({ PUBLIC_URL: 'https://api.example.com', WEB_APP_URL: 'https://app.example.com' });

    expect(config.publicUrl).to.equal('https://api.example.com');
    expect(config.webAppUrl).to.equal('https://app.example.com');
  });

  describe('limits, metrics and logs', () => {
    it('reads LOG_FORMAT json or pretty and refuses anything else, naming it', () => {
      expect(loadConfig({ LOG_FORMAT: 'json' }).config.logFormat).to.equal('json');
      expect(loadConfig({ LOG_FORMAT: 'pretty' }).config.logFormat).to.equal('pretty');
      expect(configError({ LOG_FORMAT: 'yaml' }).message).to.include('LOG_FORMAT');
    });

    it('caps LOGIN_ACCOUNT_MAX_FAILURES at 100 (NIST SP 800-63B §5.2.2)', () => {
      expect(loadConfig({ LOGIN_ACCOUNT_MAX_FAILURES: '100' }).config.throttle.accountMaxFailures).to.equal(100);
      expect(configError({ LOGIN_ACCOUNT_MAX_FAILURES: '101' }).message).to.include('LOGIN_ACCOUNT_MAX_FAILURES');
    });

    it('refuses a headers timeout longer than the request timeout', () => {
      expect(configError({ HEADERS_TIMEOUT_SECONDS: '40', REQUEST_TIMEOUT_SECONDS: '30' }).message).to.include('HEADERS_TIMEOUT_SECONDS');
    });

    it('refuses a METRICS_TOKEN shorter than 16 bytes and a METRICS_PORT equal to PORT', () => {
      expect(configError({ METRICS_TOKEN: 'short' }).message).to.include('METRICS_TOKEN');
      expect(configError({ METRICS_PORT: '3000' }).message).to.include('METRICS_PORT');
      expect(configError({ METRICS_PORT: 'x' }).message).to.include('METRICS_PORT');
      expect(loadConfig({ METRICS_TOKEN: 'a-metrics-token-of-enough-length', METRICS_PORT: '9464' }).config.metrics).to.deep.equal({
        token: 'a-metrics-token-of-enough-length',
        port: 9464,
      });
    });
  });
});
