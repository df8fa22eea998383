#!/usr/bin/env python3
"""A local stand-in of the web for a real planet's config: every feed URL answered from 127.0.0.1.

Reads the feed URLs of a Planet/Venus config.ini (every section named by a URL), generates one
synthetic feed per URL with ../shared/bench/farm/gen_feeds.py (realistic sizes and messy HTML),
serves them, and writes a mirror file for `orrery run --mirror FILE`:

    <the real URL>   http://h<k>.localhost:PORT/s/<i>/feed

so the config runs unchanged while nothing leaves the machine (libcurl resolves every
*.localhost name to 127.0.0.1; one name per real host, so per-host connection limits and
connection reuse work as they would on the web).  Each feed answers after a fixed
latency (20-200 ms, a hash of its index) with ETag/Last-Modified and 304s, gzip when asked, and a
deterministic share of feeds shows the faults a real planet sees:

    404 3 %   410 1 %   301 2 % (to https://moved.example.org/<i>/feed, also mapped)
    timeout 1 % (answers after 60 s)   broken XML 1 % (cut in the middle)
    wrong encoding 2 % (Latin-1 bytes under a UTF-8 declaration)   an HTML page 1 %

--faults none serves every feed well.  GET /__stats gives request counts by kind; /__reset
clears them.  Writes the port to --port-file once it listens; stops on SIGTERM or after
--max-seconds.  Standard library only.
"""
import argparse
import configparser
import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "shared", "bench", "farm", "gen_feeds.py")

# (kind, share of the feeds); assigned by index so every run sees the same faults
FAULTS = [("404", 0.03), ("410", 0.01), ("301", 0.02), ("timeout", 0.01), ("broken", 0.01),
          ("encoding", 0.02), ("html", 0.01)]

STATS = {"lock": threading.Lock(), "by_kind": {}, "requests": 0}


def feed_urls(path):
    if path.endswith(".ini"):
        cp = configparser.RawConfigParser(strict=False, interpolation=None)
        cp.read(path, encoding="utf-8")
        return [s for s in cp.sections() if "://" in s]
    with open(path, encoding="utf-8") as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]


def assign(n, spec):
    kinds = {}
    if spec == "none":
        return kinds
    order = sorted(range(n), key=lambda i: hashlib.sha1(b"fault%d" % i).hexdigest())
    pos = 0
    for kind, share in FAULTS:
        for i in order[pos:pos + round(share * n)]:
            kinds[i] = kind
        pos += round(share * n)
    return kinds


def latency(i):
    return 0.02 + (int(hashlib.sha1(b"lat%d" % i).hexdigest()[:8], 16) % 181) / 1000.0


class Site:
    def __init__(self, args):
        self.urls = feed_urls(args.config)
        self.farm = os.path.join(args.work, "farm")
        manifest = os.path.join(self.farm, "manifest.json")
        # the farm's newest entries are dated yesterday (the generator's fixed 2024 date would
        # make every feed stale): same bytes all day, new ones tomorrow
        base = int(time.time()) // 86400 * 86400 - 86400 + 12 * 3600
        want = {"n": len(self.urls), "e": args.entries, "seed": args.seed, "base_epoch": base}
        have = None
        if os.path.exists(manifest):
            with open(manifest) as f:
                m = json.load(f)
            have = {k: m.get(k) for k in want}
        if have != want:
            code = ("import sys; sys.path.insert(0, %r); import gen_feeds; gen_feeds.BASE_EPOCH = %d; "
                    "sys.argv = ['gen_feeds.py'] + sys.argv[1:]; gen_feeds.main()" % (os.path.dirname(GEN), base))
            subprocess.run([sys.executable, "-c", code, "--out", self.farm, "-n", str(len(self.urls)),
                            "-e", str(args.entries), "--seed", str(args.seed), "-q"], check=True)
        with open(manifest) as f:
            self.feeds = json.load(f)["feeds"]
        self.faults = assign(len(self.urls), args.faults)
        self.cache = {}

    def body(self, i):
        if i not in self.cache:
            meta = self.feeds[i]
            with open(os.path.join(self.farm, meta["file"]), "rb") as f:
                data = f.read()
            kind = self.faults.get(i)
            if kind == "broken":
                data = data[: len(data) * 3 // 5]
            elif kind == "encoding" and meta.get("encoding", "UTF-8").upper() == "UTF-8":
                data = data.decode("utf-8", "replace").encode("latin-1", "replace")
            elif kind == "html":
                data = (b"<!DOCTYPE html><html><head><title>Moved to a new blog</title>"
                        b"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">"
                        b"</head><body><p>This blog has a new home.</p></body></html>")
            lastmod = meta.get("lastmod", 1700000000)
            self.cache[i] = (data, '"%s"' % hashlib.sha1(data).hexdigest()[:16], lastmod,
                             "text/html; charset=utf-8" if kind == "html" else meta["content_type"])
        return self.cache[i]


SITE = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def count(self, kind):
        with STATS["lock"]:
            STATS["requests"] += 1
            STATS["by_kind"][kind] = STATS["by_kind"].get(kind, 0) + 1

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts == ["__stats"]:
            with STATS["lock"]:
                body = json.dumps({"requests": STATS["requests"], "by_kind": STATS["by_kind"]}).encode()
            return self.reply(200, body, {"Content-Type": "application/json"})
        if parts == ["__reset"]:
            with STATS["lock"]:
                STATS["requests"] = 0
                STATS["by_kind"] = {}
            return self.reply(204)
        if len(parts) != 3 or parts[0] not in ("s", "m") or not parts[1].isdigit():
            self.count("unknown")
            return self.reply(404, b"not here")
        i = int(parts[1])
        if i >= len(SITE.urls):
            self.count("unknown")
            return self.reply(404, b"not here")
        time.sleep(latency(i))
        kind = SITE.faults.get(i, "ok")
        if parts[0] == "s" and kind == "301":
            self.count("301")
            return self.reply(301, b"moved", {"Location": "http://moved.localhost:%d/m/%d/feed" % (PORT, i)})
        if kind in ("404", "410"):
            self.count(kind)
            return self.reply(int(kind), b"gone" if kind == "410" else b"not found", {"Content-Type": "text/plain"})
        if kind == "timeout":
            self.count("timeout")
            time.sleep(60)
            return self.reply(504, b"too late")
        data, etag, lastmod, ctype = SITE.body(i)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        fresh = inm == etag
        if not inm and ims:
            try:
                fresh = parsedate_to_datetime(ims).timestamp() >= lastmod
            except (TypeError, ValueError):
                fresh = False
        headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": formatdate(lastmod, usegmt=True),
                   "Vary": "Accept-Encoding"}
        if fresh:
            self.count("304")
            return self.reply(304, b"", headers)
        self.count(kind if kind != "301" else "ok")
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(data, 5)
            headers["Content-Encoding"] = "gzip"
        return self.reply(200, data, headers)


PORT = 0


def main():
    global SITE, PORT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="config.ini (or a file of URLs)")
    ap.add_argument("--work", required=True, help="directory for the generated feeds")
    ap.add_argument("--mirror-out", required=True, help="where to write the mirror file")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--entries", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--faults", default="real", help="'real' (the mix above) or 'none'")
    ap.add_argument("--max-seconds", type=float, default=900)
    args = ap.parse_args()
    SITE = Site(args)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    PORT = srv.server_address[1]
    with open(args.mirror_out + ".tmp", "w") as f:
        f.write("# orrery run --mirror: %d feeds of %s answered by tests/standin.py\n" % (len(SITE.urls), args.config))
        hosts = {}
        for i, u in enumerate(SITE.urls):
            host = u.split("://", 1)[-1].split("/", 1)[0].lower()
            k = hosts.setdefault(host, len(hosts))
            f.write("%s http://h%d.localhost:%d/s/%d/feed\n" % (u, k, PORT, i))
            if SITE.faults.get(i) == "301":
                f.write("https://moved.example.org/%d/feed http://moved.localhost:%d/m/%d/feed\n" % (i, PORT, i))
    os.replace(args.mirror_out + ".tmp", args.mirror_out)
    with open(args.work + "/faults.json", "w") as f:
        json.dump({SITE.urls[i]: k for i, k in SITE.faults.items()}, f)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(PORT))
    os.replace(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    threading.Timer(args.max_seconds, srv.shutdown).start()
    srv.serve_forever()
    os._exit(0)


if __name__ == "__main__":
    main()
