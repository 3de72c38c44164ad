import { InMemoryEmailTokenStore } from '../../src/adapters/persistence/memory/in-memory-email-token-store.js';
import { InMemoryTokenStore } from '../../src/adapters/persistence/memory/in-memory-token-store.js';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { InMemoryAuditLog } from '../../src/adapters/persistence/memory/in-memory-audit-log.js';
import { InMemoryPasskeyStore } from '../../src/adapters/persistence/memory/in-memory-passkey-store.js';
import { InMemoryAccounts } from '../../src/adapters/persistence/memory/in-memory-accounts.js';
import { InMemoryTotpFactorStore } from '../../src/adapters/persistence/memory/in-memory-totp-factor-store.js';
import { InMemoryMfaChallengeStore } from '../../src/adapters/persistence/memory/in-memory-mfa-challenge-store.js';
import { totpFactorStoreContract } from './totp-factor-store.contract.js';
import { mfaChallengeStoreContract } from './mfa-challenge-store.contract.js';
import { auditLogContract } from './audit-log.contract.js';
import { passkeyStoreContract } from './passkey-store.contract.js';
import { InMemoryPasskeyChallengeStore } from '../../src/adapters/persistence/memory/in-memory-passkey-challenge-store.js';
import { FixedClock } from '../support/fixed-clock.js';
import { passkeyChallengeStoreContract } from './passkey-challenge-store.contract.js';
import { signInStateStoreContract } from './sign-in-state-store.contract.js';
import { InMemorySignInStateStore } from '../../src/adapters/persistence/memory/in-memory-sign-in-state-store.js';
import { emailTokenStoreContract } from './email-token-store.contract.js';
import { refreshRotationContract } from './refresh-rotation.contract.js';
import { sessionPruningContract } from './session-pruning.contract.js';
import { tokenStoreContract } from './token-store.contract.js';
import { sessionAmrContract } from './session-amr.contract.js';
import { userRepositoryContract } from './user-repository.contract.js';

const nothingToTearDown = (): Promise<void> => Promise.resolve();

describe('in-memory adapters', () => {
  userRepositoryContract('InMemoryUserRepository', () =>
    Promise.resolve({ repo: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );

  tokenStoreContract('InMemoryTokenStore', () =>
    Promise.resolve({ store: new InMemoryTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );

  sessionAmrContract('InMemoryTokenStore', () =>
    Promise.resolve({ store: new InMemoryTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );

  sessionPruningContract('InMemoryTokenStore', () =>
    Promise.resolve({ store: new InMemoryTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );

  // The in-memory store shares nothing with the in-memory users: deleting one cannot reach its tokens.
  emailTokenStoreContract(
    'InMemoryEmailTokenStore',
    () => Promise.resolve({ store: new InMemoryEmailTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
    { cascadesUserDeletion: false },
  );

  // As with email tokens: the in-memory passkeys share nothing with the in-memory users.
  passkeyStoreContract(
    'InMemoryPasskeyStore',
    () => Promise.resolve({ store: new InMemoryPasskeyStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
    { cascadesUserDeletion: false },
  );

  // The users read `mfa` from the factor stores built on the same accounts, as SQL joins would;
  // deleting a user still cannot reach the in-memory factors.
  totpFactorStoreContract(
    'InMemoryTotpFactorStore',
    () => {
      const accounts = new InMemoryAccounts();
      return Promise.resolve({
        store: new InMemoryTotpFactorStore(accounts),
        passkeys: new InMemoryPasskeyStore(accounts),
        users: new InMemoryUserRepository(accounts),
        teardown: nothingToTearDown,
      });
    },
    { cascadesUserDeletion: false },
  );

  mfaChallengeStoreContract('InMemoryMfaChallengeStore', () => ({ store: new InMemoryMfaChallengeStore(), clock: new FixedClock() }));

  passkeyChallengeStoreContract('InMemoryPasskeyChallengeStore', () => ({ store: new InMemoryPasskeyChallengeStore(), clock: new FixedClock() }));

  signInStateStoreContract('InMemorySignInStateStore', () => ({ store: new InMemorySignInStateStore(), clock: new FixedClock() }));

  auditLogContract('InMemoryAuditLog', () => Promise.resolve({ log: new InMemoryAuditLog(), teardown: nothingToTearDown }));

  refreshRotationContract('InMemoryTokenStore + InMemoryUserRepository', () =>
    Promise.resolve({ store: new InMemoryTokenStore(), users: new InMemoryUserRepository(), teardown: nothingToTearDown }),
  );
});
