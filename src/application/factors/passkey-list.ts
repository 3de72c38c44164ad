import { summarisePasskey, type PasskeySummary } from '../../domain/passkey.js';
import type { PasskeyStore } from '../../domain/ports/passkey-store.js';

export interface ListPasskeysInput {
  readonly userId: string;
}

/** The signed-in user's passkeys, oldest first: what each is called and when it was last used. */
export class ListPasskeys {
  constructor(private readonly passkeys: PasskeyStore) {}

  async execute(input: ListPasskeysInput): Promise<PasskeySummary[]> {
    return (await this.passkeys.listFor(input.userId)).map(summarisePasskey);
  }
}
