import { Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import { Receiver } from "./receiver.js";

/**
 * `socketTextStream`: connects to `host:port` as a TCP client and stores each UTF-8,
 * `\n`-terminated line (without `\n` or a trailing `\r`). When the connection fails or the
 * peer closes it, the receiver restarts after the restart delay and connects again.
 */
export class SocketReceiver extends Receiver<string> {
  private socket: Socket | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super();
  }

  override describe(): string {
    return `socketTextStream ${this.host}:${this.port}`;
  }

  onStart(): void {
    const socket = new Socket();
    this.socket = socket;
    const decoder = new StringDecoder("utf8");
    let pending = "";
    let connected = false;
    socket.on("connect", () => {
      connected = true;
    });
    socket.on("data", (chunk: Buffer) => {
      pending += decoder.write(chunk);
      let nl = pending.indexOf("\n");
      if (nl === -1) return;
      let from = 0;
      while (nl !== -1) {
        const end = nl > from && pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        this.store(pending.slice(from, end));
        from = nl + 1;
        nl = pending.indexOf("\n", from);
      }
      pending = pending.slice(from);
    });
    socket.on("end", () => {
      if (this.socket !== socket) return;
      const rest = pending + decoder.end();
      if (rest.length > 0) this.store(rest);
      pending = "";
      this.restart(`Socket data stream from ${this.host}:${this.port} had no more data`);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (this.socket !== socket) return;
      const what = connected
        ? `Connection to ${this.host}:${this.port} failed`
        : `Error connecting to ${this.host}:${this.port} (is a server listening there? e.g. nc -lk ${this.port})`;
      this.restart(what, err);
    });
    socket.connect(this.port, this.host);
  }

  /** Over the rate: stop reading; the kernel's buffer fills and TCP pushes back on the sender. */
  override onThrottle(): void {
    this.socket?.pause();
  }

  override onResume(): void {
    this.socket?.resume();
  }

  onStop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
