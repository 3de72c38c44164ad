import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import type { Config } from '../../config/env.js';
import { problem, type ProblemCode } from './problem.js';

/** How long and how many: what keeps slow or numerous clients from pinning the process (docs/http-api.md "Limits"). */
export interface ServerLimits {
  /** All request headers must have arrived this long after the request's first byte. */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must have arrived this long after its first byte. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed this long after its last answer (more than a second). */
  readonly keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed as soon as they are accepted. */
  readonly maxConnections: number;
}

/** docs/http-api.md: idle keep-alive connections close after 5 s (deploy/nginx.conf drops its own sooner). */
export const KEEP_ALIVE_TIMEOUT_MS = 5000;

/**
 * Node 20 closes an idle connection one second after the keepAliveTimeout it announces in
 * `Keep-Alive: timeout=`, so that a client never sends on a connection being closed. The server
 * is given the close time minus that second: it announces 4 s and closes at 5 s.
 */
const NODE_KEEP_ALIVE_BUFFER_MS = 1000;

export const serverLimits = (limits: Config['limits']): ServerLimits => ({
  headersTimeoutMs: limits.headersTimeoutSeconds * 1000,
  requestTimeoutMs: limits.requestTimeoutSeconds * 1000,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
  maxConnections: limits.maxConnections,
});

/** A request Koa is handling, with its response. */
interface InKoa {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

const ANSWERS: Record<string, { readonly code: ProblemCode; readonly status: string; readonly detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', status: '408 Request Timeout', detail: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', status: '431 Request Header Fields Too Large', detail: 'The request headers are too large' },
};
const BAD_REQUEST = { code: 'BAD_REQUEST', status: '400 Bad Request', detail: 'The request could not be parsed as HTTP' } as const;

const problemHeaders = (body: string, requestId: string): Record<string, string> => ({
  'Content-Type': 'application/problem+json',
  'Content-Length': String(Buffer.byteLength(body)),
  'X-Request-Id': requestId,
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  Connection: 'close',
});

/**
 * Node reports here what its parser refuses (bad Content-Length, unknown method, headers over the
 * limit) and requests that ran out of time (headers or body too slow), and leaves the answer to
 * us. Each gets a problem+json answer with a request id, then the connection closes. A request
 * that timed out while Koa was reading its body is answered through its own response (so the
 * request id is the one Koa already gave it, and Koa writes nothing more); one that never reached
 * Koa, on the bare socket.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex, inKoa: InKoa | undefined): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const answer = ANSWERS[err.code ?? ''] ?? BAD_REQUEST;
  const body = JSON.stringify(problem(answer.code, answer.detail));
  if (inKoa && !inKoa.res.headersSent) {
    const { req, res } = inKoa;
    const id = res.getHeader('X-Request-Id');
    res.removeHeader('Set-Cookie');
    res.writeHead(Number.parseInt(answer.status, 10), problemHeaders(body, typeof id === 'string' ? id : randomUUID()));
    // Destroying the request (once the answer is out) aborts the body read Koa is waiting on, so
    // its middleware finishes (the access log and the metrics see the 408) instead of hanging.
    res.end(body, () => {
      req.destroy();
      socket.destroy();
    });
    return;
  }
  if (inKoa) {
    // Part of an answer is already out: nothing sensible can follow it on this connection.
    socket.destroy();
    return;
  }
  const head = Object.entries(problemHeaders(body, randomUUID()))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${answer.status}\r\n${head}\r\n${body}`, () => socket.destroy());
}

/**
 * The HTTP server for a Koa app: parser failures and timeouts answered as problems, the limits
 * applied. Node checks the headers and request timeouts only every `connectionsCheckingInterval`
 * (30 s by default), so it is set to a quarter of the headers timeout, at most a second.
 * `requireHostHeader` is off: Node would answer a request without Host with a bare 400, so the
 * app answers it (see request-guards.ts).
 */
export function createHttpServer(app: Koa, limits: ServerLimits): Server {
  const handle = app.callback();
  // The request Koa is handling on each connection, so a timeout can be answered through it.
  const inKoa = new WeakMap<Duplex, InKoa>();
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs - NODE_KEEP_ALIVE_BUFFER_MS,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
      requireHostHeader: false,
    },
    (req, res) => {
      const socket = req.socket;
      const handled = { req, res };
      inKoa.set(socket, handled);
      res.once('close', () => {
        if (inKoa.get(socket) === handled) inKoa.delete(socket);
      });
      void handle(req, res);
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs - NODE_KEEP_ALIVE_BUFFER_MS;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerClientError(err, socket, inKoa.get(socket)));
  return server;
}
