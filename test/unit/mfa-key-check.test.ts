import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { AesGcmSecretBox } from '../../src/adapters/crypto/aes-gcm-secret-box.js';
import { InMemoryTotpFactorStore } from '../../src/adapters/persistence/memory/in-memory-totp-factor-store.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/env.js';
import type { SecretBox } from '../../src/domain/ports/secret-box.js';
import type { TotpFactorStore } from '../../src/domain/ports/totp-factor-store.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { assertMfaKeyOpensSecrets, prepareService } from '../../src/start-up.js';
import { aUser } from '../contract/builders.js';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../support/config.js';
import { capturingLogger } from '../support/log-capture.js';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const KEY = randomBytes(32);

/** A container holding only what the check resolves: the factor store and the secret box. */
function containerWith(store: TotpFactorStore, key: Buffer): DependencyContainer {
  const c = rootContainer.createChildContainer();
  c.registerInstance(TOKENS.TotpFactorStore, store);
  c.registerInstance(TOKENS.SecretBox, new AesGcmSecretBox(key, true));
  return c;
}

/** A store where `user-1` has TOTP on, its secret sealed with KEY (pending enrolments of others beside it). */
async function storeWithConfirmedFactor(): Promise<TotpFactorStore> {
  const store = new InMemoryTotpFactorStore();
  const sealedSecret = new AesGcmSecretBox(KEY, true).seal(SECRET, 'user-1');
  const at = new Date('2026-01-01T00:00:00.000Z');
  await store.savePending({ userId: 'user-1', sealedSecret, createdAt: at, confirmedAt: null, lastUsedStep: null });
  await store.confirm('user-1', sealedSecret, 1, [], at);
  return store;
}

describe('start-up: the MFA key must open the stored TOTP secrets (assertMfaKeyOpensSecrets)', () => {
  it('lets a service without a configured key start while nobody has TOTP on, pending enrolments not counting', async () => {
    const store = new InMemoryTotpFactorStore();
    await store.savePending({ userId: 'user-2', sealedSecret: 'v1.x.y.z', createdAt: new Date(), confirmedAt: null, lastUsedStep: null });
    await assertMfaKeyOpensSecrets(containerWith(store, randomBytes(32)), false);
  });

  it('refuses to start, naming MFA_ENCRYPTION_KEY, when users have TOTP on and no key is configured', async () => {
    const err = await assertMfaKeyOpensSecrets(containerWith(await storeWithConfirmedFactor(), KEY), false).then(
      () => expect.fail('expected the start to be refused'),
      (e: Error) => e,
    );
    expect(err.message).to.include('MFA_ENCRYPTION_KEY').and.include('not set');
  });

  it('refuses to start, naming MFA_ENCRYPTION_KEY, with a key that does not open the stored secrets', async () => {
    const err = await assertMfaKeyOpensSecrets(containerWith(await storeWithConfirmedFactor(), randomBytes(32)), true).then(
      () => expect.fail('expected the start to be refused'),
      (e: Error) => e,
    );
    expect(err.message).to.include('MFA_ENCRYPTION_KEY').and.include('cannot decrypt');
  });

  it('starts with the key the secrets were sealed with', async () => {
    await assertMfaKeyOpensSecrets(containerWith(await storeWithConfirmedFactor(), KEY), true);
  });

  describe('as prepareService runs it, on a SQLite file that outlives a start', () => {
    let dir: string;
    let file: string;
    const hexKey = KEY.toString('hex');

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mfa-key-'));
      file = join(dir, 'auth.db');
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    async function start(env: Record<string, string>): Promise<DependencyContainer> {
      const loaded = loadConfig({ JWT_ACCESS_SECRET: TEST_ACCESS_SECRET, JWT_REFRESH_SECRET: TEST_REFRESH_SECRET, BCRYPT_COST: '4', DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'silent', ...env });
      return prepareService(loaded, capturingLogger().logger);
    }
    const stop = (c: DependencyContainer) => c.resolve<Knex>(TOKENS.Database).destroy();

    /** A first start with MFA_ENCRYPTION_KEY, where one user turns TOTP on. */
    async function enrolOnce(): Promise<void> {
      const c = await start({ MFA_ENCRYPTION_KEY: hexKey });
      try {
        const user = await c.resolve<UserRepository>(TOKENS.UserRepository).create(aUser());
        const box = c.resolve<SecretBox>(TOKENS.SecretBox);
        const factors = c.resolve<TotpFactorStore>(TOKENS.TotpFactorStore);
        const sealedSecret = box.seal(SECRET, user.id);
        await factors.savePending({ userId: user.id, sealedSecret, createdAt: new Date(), confirmedAt: null, lastUsedStep: null });
        expect(await factors.confirm(user.id, sealedSecret, 1, [], new Date())).to.equal(true);
      } finally {
        await stop(c);
      }
    }

    it('starts again with the same key', async () => {
      await enrolOnce();
      await stop(await start({ MFA_ENCRYPTION_KEY: hexKey }));
    });

    it('refuses to start without the key (a random one of the start), and with another key, naming MFA_ENCRYPTION_KEY', async () => {
      await enrolOnce();
      for (const env of [{}, { MFA_ENCRYPTION_KEY: randomBytes(32).toString('hex') }] as Record<string, string>[]) {
        const err = await start(env).then(
          async (c) => {
            await stop(c);
            return expect.fail(`expected the start to be refused with ${JSON.stringify(Object.keys(env))}`);
          },
          (e: Error) => e,
        );
        expect(err.message).to.include('MFA_ENCRYPTION_KEY');
      }
    });
  });
});
