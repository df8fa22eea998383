#!/usr/bin/env python3
"""Fixture HTTP server for orrery's end-to-end tests.  Listens on 127.0.0.1 only.

Serves files under --root with ETag and Last-Modified validators (304 on a match) and gzip
when asked.  Special paths, for the faults a feed aggregator meets:

  /moved/<path>      301 to /<path>            /found/<path>   302 to /<path>
  /redirect?to=URL[&code=N]   302 to URL (any host)
  /status/<code>     that status, short body   /loop           301 to itself
  /status/<code>/<path>  that status, with <path> as an HTML body (an error page, a bot check)
  /slow/<ms>/<path>  wait, then serve <path>   /big/<bytes>    a body of that size
  /bomb              a gzip body that inflates to 64 MiB
  /encoded/<how>/<path>  <path> with Content-Encoding: gzip, deflate (zlib), rawdeflate (sent
                     as deflate without its zlib header), cutgzip (gzip cut short), gzipjunk
                     (gzip and bytes after it), br (not brotli at all), utf-8 (a
                     Content-Encoding that names no compression)
  /huge/<MB>         a well-formed feed of that many megabytes, streamed
  /endless           a chunked body that never ends
  /drip/<bytes>      one byte a second
  /lie/<path>        Content-Length twice the body's, then the connection closes
  /badchunk          chunked encoding with a chunk size that is not a number
  /cut-headers       a status line and half a header, then the connection closes
  /long-header       a status line and a header line of 1 MB, then the connection closes
  /retry/<code>/<s>  that status (429, 503) with Retry-After: <s>
  /badheaders/<code> that status, a small feed, and Retry-After, ETag, Last-Modified, Content-Type not UTF-8
  /plain/<path>      serve <path> without ETag or Last-Modified (never 304)
  /charset/<name>/<path>  serve <path> as application/rss+xml; charset=<name>
  /auth/<user>/<pw>/<path>   401 unless Basic auth gives that user and password
  /hub               POST: a WebSub hub (204); /hub/500 fails.  Bodies are in /__posts
  http://any/<path>  (as a proxy is asked) serves <path>; its headers get x-proxied: yes
  /__stats           JSON: requests by path and status, with their headers and time
  /__reset           clear the counters
  /__arrivals        JSON: the path of every request as it arrived (a stalled one too)
  /__posts           JSON: { path, body, content_type } of every POST

Writes the chosen port to --port-file, stops on SIGTERM or after --max-seconds.
"""
import argparse, gzip, hashlib, json, os, signal, sys, threading, time, zlib
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATS = {"requests": [], "arrivals": [], "posts": [], "lock": threading.Lock()}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, status):
        with STATS["lock"]:
            STATS["requests"].append({"path": self.path, "status": status,
                                      "inm": self.headers.get("If-None-Match"),
                                      "ims": self.headers.get("If-Modified-Since"),
                                      "ua": self.headers.get("User-Agent"),
                                      "headers": {k.lower(): v for k, v in self.headers.items()},
                                      "port": self.client_address[1],
                                      "time": time.time()})

    def send(self, status, body=b"", headers=None):
        if status in (204, 304):                   # (HTTP gives these no body)
            body = b""
        self.record(status)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("http://"):
            # asked as a proxy: the same files, whatever the host
            self.path = "/" + self.path.split("/", 3)[3] if self.path.count("/") >= 3 else "/"
            self.headers["X-Proxied"] = "yes"
        path = self.path.split("?", 1)[0]
        if not path.startswith("/__"):
            with STATS["lock"]:
                STATS["arrivals"].append(self.path)
        listing = {"/__arrivals": "arrivals", "/__stats": "requests", "/__posts": "posts"}.get(path)
        if listing:
            with STATS["lock"]:
                body = json.dumps(STATS[listing]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if path == "/__reset":
            with STATS["lock"]:
                STATS["requests"].clear()
                STATS["arrivals"].clear()
                STATS["posts"].clear()
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.startswith("/auth/"):
            import base64
            _, _, user, pw, rest = path.split("/", 4)
            want = "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.send(401, b"who are you", {"WWW-Authenticate": 'Basic realm="feeds"'})
            path = "/" + rest
        if path == "/redirect":
            from urllib.parse import parse_qs, urlsplit
            query = parse_qs(urlsplit(self.path).query)
            to, code = query.get("to", ["/"])[0], int(query.get("code", ["302"])[0])
            return self.send(code, b"elsewhere", {"Location": to})
        if path.startswith("/moved/"):
            return self.send(301, b"moved", {"Location": path[len("/moved"):]})
        if path.startswith("/found/"):
            return self.send(302, b"found", {"Location": path[len("/found"):]})
        if path == "/loop":
            return self.send(301, b"loop", {"Location": "/loop"})
        if path.startswith("/status/"):
            parts = path.split("/", 3)
            code = int(parts[2])
            if len(parts) == 4:
                full = os.path.realpath(os.path.join(ROOT, parts[3]))
                if full.startswith(ROOT + os.sep) and os.path.isfile(full):
                    with open(full, "rb") as f:
                        return self.send(code, f.read(), {"Content-Type": "text/html; charset=utf-8"})
            return self.send(code, b"status %d" % code, {"Content-Type": "text/plain"})
        if path.startswith("/slow/"):
            parts = path.split("/", 3)
            time.sleep(int(parts[2]) / 1000.0)
            path = "/" + parts[3]
        if path.startswith("/big/"):
            n = int(path.split("/")[2])
            return self.send(200, b"<rss>" + b" " * n, {"Content-Type": "application/rss+xml"})
        if path.startswith("/huge/"):
            return self.stream_huge(int(path.split("/")[2]) << 20)
        if path == "/endless":
            return self.stream_endless()
        if path.startswith("/drip/"):
            return self.drip(int(path.split("/")[2]))
        if path.startswith("/lie/"):
            return self.lie(path[len("/lie"):])
        if path == "/badchunk":
            self.record(200)
            self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                             b"Content-Type: application/rss+xml\r\n\r\n"
                             b"10\r\n<rss version='2.\r\nzz-not-hex\r\ngarbage\r\n")
            self.close_connection = True
            return
        if path == "/long-header":
            self.record(0)
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * (1 << 20) + b"\r\n\r\n")
                self.wfile.flush()
            except OSError:
                pass                        # (the client gave up reading it: what is meant)
            self.close_connection = True
            return
        if path == "/cut-headers":
            self.record(0)
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
            self.wfile.flush()
            self.close_connection = True
            return
        if path.startswith("/badheaders/"):
            # header values that are not UTF-8 (http.server writes them as Latin-1 bytes)
            code = int(path.split("/")[2])
            return self.send(code, b"<rss version='2.0'><channel><title>t</title><item><title>i</title>"
                             b"<guid>g</guid></item></channel></rss>",
                             {"Retry-After": "\xff\xfe\xc3 soon", "ETag": '"\xff\xfe"', "Last-Modified": "\xe9t\xe9",
                              "Content-Type": "application/rss+xml; x=\xff"})
        if path.startswith("/retry/"):
            parts = path.split("/")
            return self.send(int(parts[2]), b"later", {"Retry-After": parts[3], "Content-Type": "text/plain"})
        if path.startswith("/plain/"):
            return self.serve_file(path[len("/plain"):], validators=False)
        if path.startswith("/charset/"):
            name, rest = path[len("/charset/"):].split("/", 1)
            return self.serve_file("/" + rest, ctype="application/rss+xml; charset=" + name)
        if path.startswith("/encoded/"):
            how, rest = path[len("/encoded/"):].split("/", 1)
            with open(os.path.join(ROOT, rest), "rb") as f:
                raw = f.read()
            if how in ("deflate", "rawdeflate"):
                c = zlib.compressobj(6, zlib.DEFLATED, 15 if how == "deflate" else -15)
                body, coding = c.compress(raw) + c.flush(), "deflate"
            elif how in ("br", "utf-8"):
                body, coding = raw, how
            elif how == "liegzip":                 # says gzip, is not
                body, coding = raw, "gzip"
            elif how == "twice":                   # gzip of the gzip, said once
                body, coding = gzip.compress(gzip.compress(raw)), "gzip"
            elif how == "gzfile":                  # a .gz file served as the document itself
                return self.send(200, gzip.compress(raw), {"Content-Type": "application/rss+xml"})
            elif how == "liegarbage":              # says gzip, is neither gzip nor a document
                body, coding = b"\x00\x01 neither", "gzip"
            else:
                body, coding = gzip.compress(raw), "gzip"
                body = body[:len(body) // 2] if how == "cutgzip" else body + b"junk" if how == "gzipjunk" else body
            return self.send(200, body, {"Content-Encoding": coding, "Content-Type": "application/rss+xml"})
        if path == "/bomb":
            body = gzip.compress(b"<" * (64 << 20), 9)
            return self.send(200, body, {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})
        self.serve_file(path)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        with STATS["lock"]:
            STATS["posts"].append({"path": self.path, "body": body,
                                   "content_type": self.headers.get("Content-Type")})
        if self.path == "/hub":
            return self.send(204)
        if self.path.startswith("/hub/"):
            return self.send(int(self.path.split("/")[2]), b"hub says no")
        return self.send(404, b"no")

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def stream_huge(self, size):
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        item = b"<item><title>t</title><description>" + b"x" * 4000 + b"</description></item>\n"
        self.chunk(b"<rss version='2.0'><channel><title>huge</title>\n")
        sent = 0
        try:
            while sent < size:
                self.chunk(item * 16)
                sent += len(item) * 16
            self.chunk(b"</channel></rss>\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass                       # the client stopped reading: that is the point

    def stream_endless(self):
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self.chunk(b"<rss version='2.0'><channel>")
            while True:
                self.chunk(b"<item><title>more</title></item>" * 512)
        except OSError:
            pass

    def drip(self, n):
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        try:
            for _ in range(n):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    def lie(self, path):
        full = os.path.realpath(os.path.join(ROOT, path.lstrip("/")))
        with open(full, "rb") as f:
            data = f.read()
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(2 * len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def serve_file(self, path, validators=True, ctype=None):
        full = os.path.realpath(os.path.join(ROOT, path.lstrip("/")))
        if not full.startswith(ROOT + os.sep) or not os.path.isfile(full):
            return self.send(404, b"not found", {"Content-Type": "text/plain"})
        with open(full, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
        mtime = int(os.path.getmtime(full))
        lm = formatdate(mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        fresh = False
        if inm is not None:
            fresh = inm == etag
        elif ims is not None:
            try:
                fresh = parsedate_to_datetime(ims).timestamp() >= mtime
            except (TypeError, ValueError):
                fresh = False
        headers = {"ETag": etag, "Last-Modified": lm} if validators else {}
        fresh = fresh and validators
        if fresh:
            return self.send(304, b"", headers)
        headers["Content-Type"] = ctype or (
            "application/atom+xml" if full.endswith(".atom") else
            "text/html; charset=utf-8" if full.endswith(".html") else
            "text/css" if full.endswith(".css") else
            "image/png" if full.endswith(".png") else "application/rss+xml")
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        self.send(200, data, headers)


def main():
    global ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--max-seconds", type=float, default=300)
    a = ap.parse_args()
    ROOT = os.path.realpath(a.root)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    threading.Timer(a.max_seconds, srv.shutdown).start()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    srv.serve_forever()
    os._exit(0)


if __name__ == "__main__":
    main()
