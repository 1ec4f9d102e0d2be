import * as net from 'net';

/**
 * A TCP pass-through between the functions and the emulator that can make the
 * emulator unreachable on demand, for fault tests.
 *
 * Why a proxy and not SIGSTOP on moto: a stopped process still has its listening
 * socket, so the kernel keeps completing TCP handshakes and every SDK call waits
 * for its full request timeout (the handler's DynamoDB client: 3 s × 3 attempts ≈
 * 9 s, against a 10 s function timeout — a 503 or a 502 depending on scheduling).
 * And moto, once resumed, would still execute the writes the handler had already
 * given up on. Refusing connections fails every attempt at once (ECONNREFUSED),
 * which gives a fast, deterministic 503, and nothing reaches moto meanwhile.
 * moto keeps its state in memory, so it is never actually stopped.
 *
 * Holding connections is the other fault: a call hangs, unanswered, until
 * `restore()` lets it through, which keeps an invocation in flight for as long as
 * a test needs (up to the client's own request timeout).
 */
export class FaultProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Accepted while holding, not yet connected upstream: what they sent waits in their buffers. */
  private readonly held = new Set<net.Socket>();
  private holding = false;
  private port = 0;

  constructor(private readonly host: string, private readonly upstreamPort: number) {}

  /** Connections accepted and waiting for `restore()`. */
  public get heldConnections(): number {
    return this.held.size;
  }

  /** Listens on `port` (0: any free port) and returns the port. */
  public async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.once('close', () => {
        this.sockets.delete(client);
        this.held.delete(client);
      });
      client.on('error', () => client.destroy());
      if (this.holding) this.held.add(client);
      else this.forward(client);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.host, () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** The emulator becomes unreachable: open connections are reset, new ones refused. */
  public async refuseConnections(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Calls to the emulator hang: open connections are reset (a keep-alive one would
   * otherwise bypass the hold), new ones are accepted and nothing is forwarded.
   */
  public async holdConnections(): Promise<void> {
    await this.restore();
    this.holding = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /** The emulator is reachable again, on the same port; held connections go through. */
  public async restore(): Promise<void> {
    this.holding = false;
    for (const client of [...this.held]) {
      this.held.delete(client);
      this.forward(client);
    }
    if (!this.server) await this.start(this.port);
  }

  public async stop(): Promise<void> {
    this.holding = false;
    this.held.clear();
    await this.refuseConnections();
  }

  private forward(client: net.Socket): void {
    const upstream = net.connect(this.upstreamPort, this.host);
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    for (const socket of [client, upstream]) {
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}
