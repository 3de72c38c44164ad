import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { problem } from './problem.js';

/**
 * Node answers requests its parser refuses (bad Content-Length, unknown method, headers over
 * the limit) before Koa sees them, with a bare status line. Answer those as problem+json with a
 * request id like every other answer, then close the connection.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify(
    tooLarge
      ? problem('HEADERS_TOO_LARGE', 'The request headers are too large')
      : problem('BAD_REQUEST', 'The request could not be parsed as HTTP'),
  );
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(
    `HTTP/1.1 ${status}\r\n` +
      `Content-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${randomUUID()}\r\n` +
      `X-Content-Type-Options: nosniff\r\n` +
      `Cache-Control: no-store\r\n` +
      `Connection: close\r\n\r\n` +
      body,
  );
}

/** The HTTP server for a Koa app, with parser-level failures answered as problems. */
export function createHttpServer(app: Koa): Server {
  const server = createServer(app.callback());
  server.on('clientError', answerClientError);
  return server;
}
