import { PasskeyNotFoundError } from '../../domain/errors.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { PasskeyStore } from '../../domain/ports/passkey-store.js';

export interface RemovePasskeyInput {
  readonly userId: string;
  readonly sessionId: string;
  readonly passkeyId: string;
  readonly clientIp?: string | null;
  readonly userAgent?: string | null;
}

/** Forgets one of the caller's passkeys: it signs in no more. Unknown and foreign are the same PasskeyNotFoundError. */
export class RemovePasskey {
  constructor(
    private readonly passkeys: PasskeyStore,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: RemovePasskeyInput): Promise<void> {
    if (!(await this.passkeys.removeFor(input.userId, input.passkeyId))) throw new PasskeyNotFoundError();
    await this.events.record({
      type: 'passkey.removed',
      userId: input.userId,
      sessionId: input.sessionId,
      ip: input.clientIp ?? null,
      userAgent: input.userAgent ?? null,
      detail: { passkeyId: input.passkeyId },
    });
  }
}
