import { expect } from 'chai';
import { GOOD_PASSWORD, uniqueEmail } from '../../../test/support/http.js';
import { otherCode, totpCodeAt } from '../../../test/support/totp.js';
import { createAuthClient, ProblemError, type LoginResult, type MfaRequired } from '../src/index.js';
import { recording, rejectionOf, serviceOnFixedClock } from './support.js';

function expectMfaRequired(result: LoginResult): MfaRequired {
  if (result.kind !== 'mfa_required') return expect.fail(`expected mfa_required, got ${result.kind}`);
  return result;
}

describe('@auth-api/client: the MFA step, against the real service', function () {
  this.timeout(20_000);
  const service = serviceOnFixedClock();

  /** The start of the next 30-second step: a new code, not a replay of the last one. */
  const nextStep = () => service.clock.advance(30 - (Math.floor(service.clock.now().getTime() / 1000) % 30));
  const codeNow = (secret: string) => totpCodeAt(secret, service.clock.now());

  /** A new account that turned TOTP on through the API, as its owner would. */
  async function accountWithTotp() {
    const owner = createAuthClient({ baseUrl: service.app.url, mode: 'bearer' });
    const email = uniqueEmail('mfa');
    await owner.register({ email, password: GOOD_PASSWORD });
    const { secret } = await owner.request<{ secret: string; otpauthUrl: string }>('POST', '/auth/mfa/totp', {});
    const { recoveryCodes } = await owner.request<{ recoveryCodes: string[] }>('POST', '/auth/mfa/totp/confirm', { code: await codeNow(secret) });
    expect(recoveryCodes).to.have.length(10);
    nextStep();
    return { email, secret };
  }

  it("login answers { kind: 'mfa_required', mfaToken, methods } with no session; verifyMfa (the login's mfaToken by default) signs in", async () => {
    const { email, secret } = await accountWithTotp();
    const rec = recording();
    const phone = createAuthClient({ baseUrl: service.app.url, mode: 'bearer', fetch: rec.fetch });

    const step = expectMfaRequired(await phone.login({ email, password: GOOD_PASSWORD }));
    expect(step.mfaToken).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(step.methods).to.include.members(['totp', 'recovery_code']);
    expect(await phone.hasSession()).to.equal(false);

    const code = await codeNow(secret);
    const signed = await phone.verifyMfa({ code });
    expect(signed.kind).to.equal('signed_in');
    expect(signed.user.email).to.equal(email);
    expect(rec.sent.at(-1)?.body).to.deep.equal({ mfaToken: step.mfaToken, code });
    expect(await phone.hasSession()).to.equal(true);
    expect((await phone.me()).email).to.equal(email);
    expect(rec.count('POST', '/auth/refresh')).to.equal(0);
  });

  it('a wrong code rejects with MFA_CODE_INVALID (no refresh, no session); the right one with an explicit mfaToken signs in', async () => {
    const { email, secret } = await accountWithTotp();
    const rec = recording();
    const phone = createAuthClient({ baseUrl: service.app.url, mode: 'bearer', fetch: rec.fetch });
    const step = expectMfaRequired(await phone.login({ email, password: GOOD_PASSWORD }));

    const right = await codeNow(secret);
    const wrong = (await rejectionOf(phone.verifyMfa({ mfaToken: step.mfaToken, code: otherCode(right) }))) as ProblemError;
    expect(wrong).to.be.instanceOf(ProblemError);
    expect([wrong.status, wrong.code]).to.deep.equal([401, 'MFA_CODE_INVALID']);
    expect(await phone.hasSession()).to.equal(false);
    expect(rec.count('POST', '/auth/refresh')).to.equal(0);

    const signed = await phone.verifyMfa({ mfaToken: step.mfaToken, code: right });
    expect(signed.user.email).to.equal(email);
    expect((await phone.me()).email).to.equal(email);
  });

  it('in cookie mode the MFA step signs in with cookies too', async () => {
    const { email, secret } = await accountWithTotp();
    const cookies = new Map<string, string>();
    const browser = createAuthClient({
      baseUrl: service.app.url,
      mode: 'cookie',
      csrfToken: () => cookies.get('csrf_token') ?? null,
      fetch: async (url, init) => {
        const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        const res = await fetch(url, { ...init, headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
        for (const raw of res.headers.getSetCookie()) {
          const [pair = ''] = raw.split(';');
          const eq = pair.indexOf('=');
          cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
        }
        return res;
      },
    });
    const step = expectMfaRequired(await browser.login({ email, password: GOOD_PASSWORD }));
    expect(cookies.size).to.equal(0);
    await browser.verifyMfa({ mfaToken: step.mfaToken, code: await codeNow(secret) });
    expect([...cookies.keys()].sort()).to.deep.equal(['access_token', 'csrf_token', 'refresh_token']);
    expect((await browser.me()).email).to.equal(email);
  });
});
