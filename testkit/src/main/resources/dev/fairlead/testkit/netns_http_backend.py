"""An HTTP backend that says who it is, for Fairlead's TestHosts (see NetnsBackend.java).

Runs inside a test network namespace and listens on one address only, on two ports:

* the traffic port answers every request, whatever its method and path, with the current status
  (200 at start), the body "<name>\\n" and the header "x-backend: <name>", and counts it;
* the control port, for the test itself, never counted:
    GET /requests          the number of requests the traffic port answered, as text
    GET /last-headers      the lower-case header names of the last request it answered, one a line
    PUT|POST /status/<n>   answer every later traffic request with status n (100..599)

The process exits when its standard input closes, so it never outlives the JVM that started it.
"""

import argparse
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IDENTITY_HEADER = "x-backend"
TRAFFIC_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
NO_BODY_STATUSES = {204, 304}


class State:
    """Status and request count, shared by every handler thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.status = 200
        self.requests = 0
        self.last_headers = []


def read_body(handler):
    """Consumes the request body, so a kept-alive connection stays in step."""
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return
            handler.rfile.read(size + 2)
    length = int(handler.headers.get("Content-Length") or 0)
    if length:
        handler.rfile.read(length)


def traffic_handler(name, state):
    body = (name + "\n").encode("utf-8")

    class Traffic(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fairlead-netns-backend"

        def answer(self):
            read_body(self)
            with state.lock:
                state.requests += 1
                state.last_headers = sorted({key.lower() for key in self.headers.keys()})
                status = state.status
            no_body = status in NO_BODY_STATUSES or status < 200
            self.send_response(status)
            self.send_header(IDENTITY_HEADER, name)
            if not no_body:
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not no_body and self.command != "HEAD":
                self.wfile.write(body)

    for method in TRAFFIC_METHODS:
        setattr(Traffic, "do_" + method, Traffic.answer)
    return Traffic


def control_handler(state):
    class Control(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status, text):
            data = (text + "\n").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            read_body(self)
            if self.path == "/requests":
                with state.lock:
                    self.reply(200, str(state.requests))
            elif self.path == "/last-headers":
                with state.lock:
                    self.reply(200, "\n".join(state.last_headers))
            else:
                self.reply(404, "unknown control path " + self.path + "; try GET /requests or GET /last-headers")

        def do_PUT(self):
            read_body(self)
            prefix = "/status/"
            if not self.path.startswith(prefix) or not self.path[len(prefix):].isdigit():
                self.reply(404, "unknown control path " + self.path + "; try PUT /status/503")
                return
            status = int(self.path[len(prefix):])
            if not 100 <= status <= 599:
                self.reply(400, "status must be within 100..599, got " + str(status))
                return
            with state.lock:
                state.status = status
            self.reply(200, str(status))

        do_POST = do_PUT

        def log_message(self, format, *args):
            pass

    return Control


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    args = parser.parse_args()

    state = State()
    traffic = ThreadingHTTPServer((args.address, args.port), traffic_handler(args.name, state))
    control = ThreadingHTTPServer((args.address, args.control_port), control_handler(state))
    threading.Thread(target=exit_when_stdin_closes, name="stdin-watch", daemon=True).start()
    threading.Thread(target=control.serve_forever, name="control", daemon=True).start()
    print("backend %s serving on %s:%d (control port %d)"
          % (args.name, args.address, args.port, args.control_port), flush=True)
    traffic.serve_forever()


if __name__ == "__main__":
    main()
