#!/usr/bin/env python3
"""A client for tests/e2e_scale.sh: many connections to 127.0.0.1:PORT.

  seq PORT N      N connections one after another: connect, send
                  "sNNNNNN\\n", shut down sending, wait for the server's
                  EOF, close.
  hold PORT N     N connections at once, each sends "hNNNNNN\\n" and stays
                  open; prints "held N", then closes them all when its
                  standard input ends.
  burst PORT N    N connections at once (all connect() first; prints
                  "connected N"), then waits for a line on standard input
                  (none: goes on at once), then each sends "bNNNNNN\\n"
                  and shuts down sending; waits for the server's EOF on
                  every one.  Prints "served N".

Every wait is bounded (60 s); on failure one line on stderr, exit 1.
"""
import selectors
import socket
import sys
import time

LIMIT = 60.0


def fail(msg):
    """Say what went wrong in one line and exit 1."""
    print("scale-client: " + msg, file=sys.stderr)
    sys.exit(1)


def wait_eof(socks, deadline):
    """Read from every socket until each has given EOF."""
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    left = len(socks)
    while left > 0:
        t = deadline - time.monotonic()
        if t <= 0:
            fail("%d connection(s) never got EOF" % left)
        for key, _ in sel.select(t):
            try:
                d = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                fail("recv: %s" % e)
            if not d:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                left -= 1


def connect(port, deadline):
    """One connection to 127.0.0.1:port."""
    try:
        return socket.create_connection(("127.0.0.1", port),
                                        timeout=max(1, deadline -
                                                    time.monotonic()))
    except OSError as e:
        fail("connect: %s" % e)


def main():
    """Run the mode named on the command line."""
    if len(sys.argv) != 4:
        fail("usage: scale-client.py seq|hold|burst PORT N")
    mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    deadline = time.monotonic() + LIMIT
    if mode == "seq":
        for i in range(n):
            s = connect(port, deadline)
            s.sendall(b"s%06d\n" % i)
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass
            s.close()
        print("done %d" % n, flush=True)
    elif mode == "hold":
        socks = []
        for i in range(n):
            s = connect(port, deadline)
            s.sendall(b"h%06d\n" % i)
            socks.append(s)
        print("held %d" % n, flush=True)
        sys.stdin.read()
        for s in socks:
            s.close()
    elif mode == "burst":
        socks = [connect(port, deadline) for _ in range(n)]
        print("connected %d" % n, flush=True)
        # Idle clients hold the server's descriptors until told to go on.
        sys.stdin.readline()
        for i, s in enumerate(socks):
            s.sendall(b"b%06d\n" % i)
            s.shutdown(socket.SHUT_WR)
        wait_eof(socks, deadline)
        print("served %d" % n, flush=True)
    else:
        fail("unknown mode " + mode)


main()
