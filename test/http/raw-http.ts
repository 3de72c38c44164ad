import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import type { ApiResponse } from '../support/http.js';
import { asApiResponse, expectProblem, expectRequestId, type Problem } from './helpers.js';

/** One HTTP answer read off a raw socket. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A client on a bare TCP connection, for what no HTTP client will do: send a request byte by
 * byte, leave out Host, write a path no URL parser accepts, or open connections and sit on them.
 */
export class RawConnection {
  private received = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private dribbling: NodeJS.Timeout | null = null;
  /** Set once the server closed (or reset) the connection. */
  closed = false;
  /** Bytes the server sent before it closed, as text. */
  get text(): string {
    return this.received.toString('latin1');
  }

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    // A reset while writing is one way a server refuses: the test looks at `closed`, not at the error.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.stopDribbling();
      this.wake();
    });
  }

  static open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): this {
    if (!this.closed && this.socket.writable) this.socket.write(text, 'latin1');
    return this;
  }

  /** Sends `text` one byte every `everyMs`, until the text or the connection ends. */
  dribble(text: string, everyMs: number): this {
    let at = 0;
    this.dribbling = setInterval(() => {
      if (at >= text.length || this.closed) return this.stopDribbling();
      this.write(text.charAt(at++));
    }, everyMs);
    return this;
  }

  stopDribbling(): void {
    if (this.dribbling) clearInterval(this.dribbling);
    this.dribbling = null;
  }

  /** The next whole answer (head and Content-Length body); fails if the connection closes first. */
  async answer(): Promise<RawAnswer> {
    for (;;) {
      const parsed = parseAnswer(this.received);
      if (parsed) {
        this.received = this.received.subarray(parsed.length);
        return parsed.answer;
      }
      if (this.closed) throw new Error(`the connection closed without a whole answer: ${JSON.stringify(this.text.slice(0, 200))}`);
      await this.next();
    }
  }

  /** Resolves once the server has closed the connection. */
  async whenClosed(): Promise<void> {
    while (!this.closed) await this.next();
  }

  close(): void {
    this.stopDribbling();
    this.socket.destroy();
  }

  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const go of waiting) go();
  }
}

function parseAnswer(buffer: Buffer): { answer: RawAnswer; length: number } | null {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] = headers[name] === undefined ? line.slice(colon + 1).trim() : `${headers[name]}, ${line.slice(colon + 1).trim()}`;
  }
  const length = Number(headers['content-length'] ?? '0');
  if (buffer.length < end + 4 + length) return null;
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { answer: { status, headers, body: buffer.subarray(end + 4, end + 4 + length).toString('utf8') }, length: end + 4 + length };
}

/** One request written whole on a fresh connection, and its answer. */
export async function rawExchange(baseUrl: string, request: string): Promise<RawAnswer> {
  const connection = await RawConnection.open(baseUrl);
  try {
    return await connection.write(request).answer();
  } finally {
    connection.close();
  }
}

export const asResponse = (answer: RawAnswer): ApiResponse => asApiResponse({ status: answer.status, headers: answer.headers, text: answer.body });

/** A problem+json answer with this status and code, carrying a well-formed X-Request-Id (returned). */
export function expectRawProblem(answer: RawAnswer, status: number, code: string, label = ''): { problem: Problem; requestId: string } {
  const problem = expectProblem(asResponse(answer), status, code);
  const requestId = expectRequestId(answer.headers['x-request-id'], `${label} X-Request-Id`);
  expect(answer.headers['x-content-type-options'], `${label} nosniff`).to.equal('nosniff');
  return { problem, requestId };
}
