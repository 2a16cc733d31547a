// Scripted TCP servers on 127.0.0.1 for scanner tests: each connection runs a script (send a
// banner, stay silent, trickle bytes...). Sockets read and discard what the client sends, so a
// client's FIN is seen; closeAll() ends every socket and server (call it from `after`).
import { createServer, type Server, type Socket } from 'node:net';

export interface ScriptedServers {
  serve(onConn: (s: Socket) => void): Promise<number>;
  closeAll(): Promise<void>;
}

export function scriptedServers(): ScriptedServers {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  return {
    async serve(onConn) {
      const srv = createServer((s) => {
        sockets.add(s);
        s.on('error', () => {});
        s.resume();
        s.on('close', () => sockets.delete(s));
        onConn(s);
      });
      srv.maxConnections = 10_000;
      servers.push(srv);
      await new Promise<void>((r) => srv.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, r));
      return (srv.address() as { port: number }).port;
    },
    async closeAll() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
