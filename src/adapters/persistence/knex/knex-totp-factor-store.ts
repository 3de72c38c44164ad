import type { Knex } from 'knex';
import type { TotpFactor } from '../../../domain/mfa.js';
import type { TotpFactorStore } from '../../../domain/ports/totp-factor-store.js';
import { query } from './errors.js';
import { toDate, toNullableDate } from './rows.js';

interface TotpFactorRow {
  user_id: string;
  sealed_secret: string;
  created_at: Date | number | string;
  confirmed_at: Date | number | string | null;
  last_used_step: number | string | null;
}

interface RecoveryCodeRow {
  user_id: string;
  code_digest: string;
  used_at: Date | number | string | null;
}

const rowToFactor = (row: TotpFactorRow): TotpFactor => ({
  userId: row.user_id,
  sealedSecret: row.sealed_secret,
  createdAt: toDate(row.created_at),
  confirmedAt: toNullableDate(row.confirmed_at),
  lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
});

/**
 * TOTP factors and recovery codes in SQL. Every single-use rule is one conditional UPDATE judged
 * by its affected-row count (a row lock on MySQL, the one writer on SQLite): of concurrent callers
 * accepting the same step, or spending the same recovery code, exactly one sees 1.
 */
export class KnexTotpFactorStore implements TotpFactorStore {
  constructor(private readonly db: Knex) {}

  find(userId: string): Promise<TotpFactor | null> {
    return query(async () => {
      const row = await this.db<TotpFactorRow>('totp_factors').where({ user_id: userId }).first();
      return row ? rowToFactor(row) : null;
    });
  }

  savePending(factor: TotpFactor): Promise<boolean> {
    return query(() =>
      this.db.transaction(async (trx) => {
        const existing = await trx<TotpFactorRow>('totp_factors').where({ user_id: factor.userId }).forUpdate().first();
        if (existing?.confirmed_at != null) return false;
        await trx<TotpFactorRow>('totp_factors').where({ user_id: factor.userId }).del();
        await trx<RecoveryCodeRow>('recovery_codes').where({ user_id: factor.userId }).del();
        await trx<TotpFactorRow>('totp_factors').insert({ user_id: factor.userId, sealed_secret: factor.sealedSecret, created_at: factor.createdAt, confirmed_at: null, last_used_step: null });
        return true;
      }),
    );
  }

  confirm(userId: string, sealedSecret: string, step: number, recoveryCodeDigests: readonly string[], at: Date): Promise<boolean> {
    return query(() =>
      this.db.transaction(async (trx) => {
        const updated = await trx<TotpFactorRow>('totp_factors')
          .where({ user_id: userId, sealed_secret: sealedSecret })
          .whereNull('confirmed_at')
          .update({ confirmed_at: at, last_used_step: step });
        if (updated !== 1) return false;
        await trx<RecoveryCodeRow>('recovery_codes').where({ user_id: userId }).del();
        if (recoveryCodeDigests.length > 0) {
          await trx<RecoveryCodeRow>('recovery_codes').insert(recoveryCodeDigests.map((code_digest) => ({ user_id: userId, code_digest, used_at: null })));
        }
        return true;
      }),
    );
  }

  acceptStep(userId: string, step: number): Promise<boolean> {
    return query(async () => {
      const updated = await this.db<TotpFactorRow>('totp_factors')
        .where({ user_id: userId })
        .whereNotNull('confirmed_at')
        .andWhere((q) => void q.whereNull('last_used_step').orWhere('last_used_step', '<', step))
        .update({ last_used_step: step });
      return updated === 1;
    });
  }

  spendRecoveryCode(userId: string, digest: string, at: Date): Promise<boolean> {
    return query(async () => {
      const updated = await this.db<RecoveryCodeRow>('recovery_codes')
        .where({ user_id: userId, code_digest: digest })
        .whereNull('used_at')
        .whereExists((q) => void q.select(this.db.raw('1')).from('totp_factors').where('totp_factors.user_id', userId).whereNotNull('totp_factors.confirmed_at'))
        .update({ used_at: at });
      return updated === 1;
    });
  }

  recoveryCodesLeft(userId: string): Promise<number> {
    return query(async () => {
      const row = await this.db<RecoveryCodeRow>('recovery_codes').where({ user_id: userId }).whereNull('used_at').count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    });
  }

  remove(userId: string): Promise<boolean> {
    return query(() =>
      this.db.transaction(async (trx) => {
        await trx<RecoveryCodeRow>('recovery_codes').where({ user_id: userId }).del();
        return (await trx<TotpFactorRow>('totp_factors').where({ user_id: userId }).del()) === 1;
      }),
    );
  }

  sampleSealedSecrets(limit: number): Promise<{ readonly userId: string; readonly sealedSecret: string }[]> {
    return query(async () => {
      const rows = await this.db<TotpFactorRow>('totp_factors').whereNotNull('confirmed_at').select('user_id', 'sealed_secret').limit(limit);
      return rows.map((r) => ({ userId: r.user_id, sealedSecret: r.sealed_secret }));
    });
  }
}
