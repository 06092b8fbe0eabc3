"""A TCP link on loopback that a test can cut and restore: a database "going down" without
stopping the real server every other test shares.

While cut, every open connection is closed and new ones are accepted and closed at once, as a
client sees a server that has gone away; after ``restore`` new connections reach it again.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttableLink:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._up = True
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> CuttableLink:
        self._accepting.start()
        return self

    def cut(self) -> None:
        with self._lock:
            self._up = False
            for connection in self._open:
                _close(connection)
            self._open.clear()

    def restore(self) -> None:
        with self._lock:
            self._up = True

    def stop(self) -> None:
        self.cut()
        _close(self.listener)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # stopped
            with self._lock:
                if not self._up:
                    _close(client)
                    continue
                server = socket.create_connection(self.upstream)
                self._open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()
