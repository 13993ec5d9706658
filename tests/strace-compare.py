#!/usr/bin/env python3
"""Compare sockscope's call record (SOCKSCOPE_RECORD_FILE: "call fd result
errno") with what strace -f -e trace=network,close saw in the same run:
the same socket calls, in the same order, with the same results.  Prints
both lists and the first difference; exits 1 when they differ."""
import re
import sys

CALLS = {"socket", "setsockopt", "getsockopt", "bind", "listen", "accept4",
         "connect", "recvfrom", "sendto", "shutdown", "close"}
# glibc's recv() and send() are the recvfrom and sendto system calls.
ALIAS = {"recv": "recvfrom", "send": "sendto"}

def from_record(path):
    out = []
    for line in open(path):
        w = line.split()
        call = ALIAS.get(w[0], w[0])
        if call in CALLS:
            out.append((call, int(w[1]), int(w[2]), w[3]))
    return out

LINE = re.compile(r"^(?:\d+\s+)?(\w+)\((.*)\)\s+=\s+(-?\d+)(?:\s+(E[A-Z0-9]+))?")

def from_strace(path):
    out, sockets = [], set()
    for line in open(path):
        m = LINE.match(line)
        if not m or m.group(1) not in CALLS:
            continue
        call, args, ret, err = m.group(1), m.group(2), int(m.group(3)), m.group(4) or "0"
        if call == "socket":
            if ret >= 0:
                sockets.add(ret)
            out.append((call, ret, ret, err))
            continue
        fd = int(re.match(r"\s*(-?\d+)", args).group(1))
        if fd not in sockets:
            continue        # a file, a pipe: not a socket call
        if call == "accept4" and ret >= 0:
            sockets.add(ret)
        if call == "close":
            sockets.discard(fd)
        out.append((call, fd, ret, err))
    return out

try:
    rec, st = from_record(sys.argv[1]), from_strace(sys.argv[2])
except OSError as e:
    print("#  cannot read:", e)
    sys.exit(1)
for i in range(max(len(rec), len(st))):
    a = rec[i] if i < len(rec) else None
    b = st[i] if i < len(st) else None
    mark = "  " if a == b else "!="
    print("#  %-40s %s %s" % (a, mark, b))
if rec != st or not rec:
    sys.exit(1)
