"""A TCP proxy in front of the live server that kills a connection once, mid-request."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to ``target``. After ``cut_after`` bytes from client to server
    (counted over every connection), it closes both sides of the connection carrying that byte:
    what a dropped Wi-Fi or a dead proxy does to an upload. It cuts once."""

    def __init__(self, target: tuple[str, int], cut_after: int | None = None):
        self.target = target
        self.cut_after = cut_after
        self.upstream_bytes = 0
        self.cuts = 0
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        try:
            while True:
                data = source.recv(256 * 1024)
                if not data:
                    break
                if upstream:
                    with self.lock:
                        before = self.upstream_bytes
                        self.upstream_bytes += len(data)
                        cut = (
                            self.cut_after is not None
                            and not self.cuts
                            and before <= self.cut_after < self.upstream_bytes
                        )
                        if cut:
                            self.cuts += 1
                    if cut:
                        sink.sendall(data[: self.cut_after - before])
                        break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        self.running = False
        with contextlib.suppress(OSError):
            self.listener.close()
