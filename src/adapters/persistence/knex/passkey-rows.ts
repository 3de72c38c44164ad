import type { Passkey } from '../../../domain/passkey.js';
import { toDate } from './rows.js';

/** Row <-> passkey mapping (beside rows.ts, in its style). */

export interface PasskeyRow {
  id: string;
  user_id: string;
  public_key: Buffer | Uint8Array;
  counter: number | string;
  /** Space-separated transport names (none contains a space). */
  transports: string;
  name: string;
  created_at: Date | number | string;
  last_used_at: Date | number | string | null;
}

export const passkeyToRow = (p: Passkey): PasskeyRow => ({
  id: p.id,
  user_id: p.userId,
  public_key: Buffer.from(p.publicKey),
  counter: p.counter,
  transports: p.transports.join(' '),
  name: p.name,
  created_at: p.createdAt,
  last_used_at: p.lastUsedAt,
});

export const rowToPasskey = (row: PasskeyRow): Passkey => ({
  id: row.id,
  userId: row.user_id,
  publicKey: new Uint8Array(row.public_key),
  counter: Number(row.counter),
  transports: row.transports === '' ? [] : row.transports.split(' '),
  name: row.name,
  createdAt: toDate(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : toDate(row.last_used_at),
});
