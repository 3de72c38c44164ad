import type { RenderedMail } from './render-mail.js';

/** Where a rendered mail goes: an SMTP relay, a folder of .eml files. */
export interface MailTransport {
  /** Resolves once the mail is accepted (by the relay, on disk); rejects when it was not. */
  deliver(mail: RenderedMail, from: string): Promise<void>;
  /** Lets go of connections and files; no delivery after it. */
  close(): Promise<void>;
}
