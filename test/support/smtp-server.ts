import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface LoopbackSmtpServer {
  /** `smtp://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every message accepted, parsed, in order of arrival. */
  readonly messages: ParsedMail[];
  /** How many messages reached DATA, accepted or rejected: the delivery attempts. */
  readonly attempts: () => number;
  /** The user names clients authenticated as (any password is accepted). */
  readonly logins: string[];
  /** Answers the next `count` messages with an SMTP error (451 unless told) instead of accepting them. */
  rejectNext(count: number, responseCode?: number): void;
  /** Every following message is refused, until rejectNext(0). */
  rejectAll(responseCode?: number): void;
  /** The first accepted message (already here or still to come) that matches; rejects after `timeoutMs`. */
  waitForMail(predicate?: (mail: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 and an ephemeral port: plain TCP, no TLS, authentication optional. */
export async function startSmtpServer(): Promise<LoopbackSmtpServer> {
  const messages: ParsedMail[] = [];
  const logins: string[] = [];
  const waiters = new Set<{ predicate: (mail: ParsedMail) => boolean; resolve: (mail: ParsedMail) => void }>();
  let attempts = 0;
  let toReject = 0;
  let rejectCode = 451;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      attempts += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (toReject > 0) {
          toReject -= 1;
          const err = Object.assign(new Error('Mailbox busy, try again later'), { responseCode: rejectCode });
          callback(err);
          return;
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            messages.push(mail);
            for (const waiter of [...waiters]) {
              if (waiter.predicate(mail)) {
                waiters.delete(waiter);
                waiter.resolve(mail);
              }
            }
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    logins,
    attempts: () => attempts,
    rejectNext(count, responseCode = 451) {
      toReject = count;
      rejectCode = responseCode;
    },
    rejectAll(responseCode = 550) {
      toReject = Number.POSITIVE_INFINITY;
      rejectCode = responseCode;
    },
    waitForMail(predicate = () => true, timeoutMs = 5000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (mail: ParsedMail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
