import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay on loopback in front of a server, for a store that must freeze without racing a client's death.
 * While held, what clients send is kept here instead of forwarded, and a client that dies meanwhile does not
 * take its connection to the server with it: on release the server gets each held request whole, on a
 * connection still open, as it would from a slow network. (A paused server process instead finds the dead
 * client's request and its hang-up together, and whether it still serves the request is a race.)
 */
export interface HoldingRelay {
  /** Where clients connect instead of the server, e.g. `http://127.0.0.1:1234`. */
  url: string;
  hold(): void;
  release(): void;
  /** Everything sent by clients while held and not yet released, as text. */
  held(): string;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  server: net.Socket;
  held: Buffer[];
  clientGone: boolean;
}

export async function startHoldingRelay(target: URL): Promise<HoldingRelay> {
  let holding = false;
  const links = new Set<Link>();
  const connect = (link: Link) => {
    const server = net.connect(Number(target.port), target.hostname);
    server.on('data', (chunk: Buffer) => link.clientGone || link.client.write(chunk));
    server.on('error', () => undefined);
    server.on('close', () => {
      // A server ends an idle kept-alive connection after a few seconds; what is held for it goes on a new one.
      if (link.held.length > 0) return;
      link.client.destroy();
      links.delete(link);
    });
    return server;
  };
  const relay = net.createServer((client) => {
    const link = { client, held: [], clientGone: false } as Omit<Link, 'server'> as Link;
    link.server = connect(link);
    links.add(link);
    client.on('data', (chunk: Buffer) => (holding ? link.held.push(chunk) : link.server.write(chunk)));
    client.on('close', () => {
      link.clientGone = true;
      // Hung up with nothing held: the server may see it go. With something held, it waits for the release.
      if (!holding && link.held.length === 0) link.server.end();
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const link of links) {
        if (link.held.length === 0) continue;
        if (link.server.destroyed) link.server = connect(link);
        for (const chunk of link.held.splice(0)) link.server.write(chunk);
      }
    },
    held: () => [...links].flatMap((link) => link.held).map((chunk) => chunk.toString('utf8')).join(''),
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.server.destroy();
      }
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}
