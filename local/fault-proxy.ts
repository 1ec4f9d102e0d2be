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
 */
export class FaultProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;

  constructor(private readonly host: string, private readonly upstreamPort: number) {}

  /** Listens on `port` (0: any free port) and returns the port. */
  public async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.upstreamPort, this.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
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

  /** The emulator is reachable again, on the same port. */
  public async restore(): Promise<void> {
    if (!this.server) await this.start(this.port);
  }

  public async stop(): Promise<void> {
    await this.refuseConnections();
  }
}
