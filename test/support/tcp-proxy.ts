import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * A TCP relay in front of a real server (MariaDB, Redis), so a test can take the server away
 * from the app and give it back without touching the server itself:
 * - `stop()`   the server is down: the port refuses connections and every live connection is
 *              cut (listener closed AND every socket destroyed).
 * - `freeze()` the server is unreachable (a partition): connections are accepted or kept open but
 *              no byte goes through in either direction, so a client without a timeout hangs.
 * - `start()`  the server is back on the same port; frozen connections are cut first, since
 *              their protocol state is lost.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private frozen = false;
  private listenPort: number;

  private constructor(
    private readonly target: TcpTarget,
    port: number,
  ) {
    this.listenPort = port;
  }

  /** A relay to `target`, listening on 127.0.0.1:`port` (default: an ephemeral port). */
  static async open(target: TcpTarget, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, port);
    await proxy.start();
    return proxy;
  }

  /**
   * A relay in front of the server a URL names (`mysql://…`, `redis://…`; `defaultPort` when it
   * names none), and the same URL pointed through the relay.
   */
  static async inFrontOf(url: string, defaultPort: number): Promise<{ proxy: TcpProxy; url: string }> {
    const server = new URL(url);
    const proxy = await TcpProxy.open({ host: server.hostname, port: server.port ? Number(server.port) : defaultPort });
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    return { proxy, url: proxied.toString() };
  }

  /** The port the relay listens on; stable across stop() and start(). */
  get port(): number {
    return this.listenPort;
  }

  /** Live connections, client and upstream sides counted separately. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Relays again on the same port (after stop() or freeze()); a no-op while relaying. */
  async start(): Promise<void> {
    if (this.frozen) this.destroyAll();
    this.frozen = false;
    if (this.server) return;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.listenPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and cuts every live one. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.destroyAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Lets nothing through, without closing anything: clients see silence, not an error. */
  async freeze(): Promise<void> {
    if (!this.server) await this.start();
    this.frozen = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Stops and releases the port for good. */
  close(): Promise<void> {
    return this.stop();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A cut connection's errors are the point of the exercise, not a failure of the relay.
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.frozen) {
      client.pause();
      return;
    }
    client.pause();
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    upstream.once('connect', () => {
      if (this.frozen) return;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
