"""A loopback TCP forwarder in front of a real Neo4j server, to lose that server on purpose: it cuts every
connection and refuses new ones (`cut`), lets them through again (`restore`), keeps every connection open but
holds back what the server says (`silence`, until `speak`: a hung server), and can cut by itself the
moment a client sends given bytes (a query's text), so that "lost in the middle" happens at one known
point of a command instead of after a guessed delay. Loopback only; bounded by the tests that use it."""

from __future__ import annotations

import socket
import threading


class Proxy:
    def __init__(self, target_port: int, trigger: bytes | None = None, then_down_for: float | None = None):
        """`trigger`: cut when a client sends these bytes; `then_down_for`: and come back after so many
        seconds (None: stay down until `restore`)."""
        self.target_port = target_port
        self.trigger, self.then_down_for = trigger, then_down_for
        self.up = threading.Event()
        self.up.set()
        self.triggered = threading.Event()
        self.answering = threading.Event()
        self.answering.set()
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self.accept, daemon=True, name="proxy-accept").start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()  # the server is "down": the driver sees the connection end at once
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, upstream}
            threading.Thread(target=self.pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(upstream, client, False), daemon=True).start()

    def pipe(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        tail = b""
        try:
            while data := source.recv(65536):
                if from_client and self.trigger and not self.triggered.is_set() and self.trigger in tail + data:
                    self.triggered.set()
                    self.cut()
                    if self.then_down_for is not None:
                        threading.Timer(self.then_down_for, self.restore).start()
                    return
                tail = (tail + data)[-len(self.trigger or b""):]
                if not from_client:
                    self.answering.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                self.close_socket(sock)

    def close_socket(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self) -> None:
        """The server is gone: every connection ends, new ones are refused."""
        self.up.clear()
        with self.lock:
            doomed = list(self.sockets)
        for sock in doomed:
            self.close_socket(sock)

    def restore(self) -> None:
        self.up.set()

    def silence(self) -> None:
        """The server stops answering: connections stay open, what it sends is held back."""
        self.answering.clear()

    def speak(self) -> None:
        """What was held back arrives, and the server answers again."""
        self.answering.set()

    def close(self) -> None:
        self.closed = True
        self.answering.set()
        self.cut()
        self.listener.close()

    def __enter__(self) -> "Proxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
