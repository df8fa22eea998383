/*
** fetch.c — concurrent HTTP GETs over libcurl multi (see fetch.h).
**
** Threads: the network thread alone drives the multi handle; the parsing threads run
** opts.process on finished transfers; the caller takes results from the `done` list.  The
** lists are guarded by one mutex.  Results not yet taken are bounded (max_backlog): when the
** caller falls behind, no new transfer starts, so memory stays bounded however slow it is.
**
** The network loop is libcurl's "10-at-a-time": a queue of easy handles, at most `parallel`
** of them added to the multi handle (and at most `per_host` per host), curl_multi_perform /
** curl_multi_info_read / curl_multi_poll, refilled as transfers end.  That queue decides
** alone when a transfer starts: libcurl's own limits (CURLMOPT_MAX_HOST_CONNECTIONS,
** _MAX_TOTAL_CONNECTIONS) and CURLOPT_PIPEWAIT would park a handle orrery already started
** in libcurl's pending list, its timeout running: behind two stalled transfers a feed that
** answers at once was logged at 19.8 s, or failed "timed out after 0 ms" unrequested.  The header callback records the headers of the *last*
** response only (each redirect hop starts a new one) and whether every hop was permanent.
** A compressed body is kept as it came (the write callback caps it at max_bytes) and
** decoded when the transfer ends, its cap on the decoded bytes, so a gzip bomb stops at
** max_bytes however small it was on the wire.
*/
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netdb.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libdeflate.h>
#include <zlib.h>

#include "clock.h"
#include "fetch.h"

struct orr_fetch {
  CURLM *multi;
  orr_fetch_opts opts;
  orr_transfer **queue;      /* every transfer not yet handed over, by index */
  size_t nqueue, capqueue;
  size_t first_waiting;      /* no transfer before this index is waiting to start */
  size_t waiting;            /* transfers not started yet */
  orr_transfer **active;     /* the running ones (at most opts.parallel) */
  size_t running;
  char *user_agent;          /* our copy */
  /* the workers (opts.process): finished transfers wait in `work`, processed ones in `done` */
  pthread_t *threads;
  int nthreads;
  pthread_mutex_t lock;
  pthread_cond_t work_cv, done_cv;
  orr_transfer *work_head, *work_tail, *done_head, *done_tail;
  size_t processing;         /* in `work` or being processed */
  size_t ndone;              /* in `done` */
  int stopping;
  pthread_t net;             /* the network thread, started by the first orr_fetch_next */
  int net_started, net_done, net_failed;
  size_t max_backlog;        /* finished transfers not yet taken, at most (then we wait) */
  int throttled;             /* the network thread is waiting for the caller */
  double next_due;           /* when host spacing lets the next waiting transfer start (0: -) */
  double net_cpu;            /* the network thread's CPU seconds, when it ended */
  size_t handed;             /* transfers given to the caller (caller's thread only) */
  /* hosts (the adding thread, then the network thread alone): requests queued for each,
  ** when one last started there, which ones are held */
  struct host_state *hosts;  /* open addressing, nhosts_cap a power of two (0: none yet) */
  size_t nhosts, nhosts_cap;
  size_t nheld;
};

/* A host the batch has asked something: when it last started a request there, and
** whether it answered 429/503 (then held names that response). */
struct host_state {
  char   name[128];
  double last_start;
  char  *held;
  size_t requests;           /* queued for it in all (counted as they are added) */
};

static void push(orr_transfer **head, orr_transfer **tail, orr_transfer *t) {
  t->next = NULL;
  if (*tail) (*tail)->next = t; else *head = t;
  *tail = t;
}

static orr_transfer *pop(orr_transfer **head, orr_transfer **tail) {
  orr_transfer *t = *head;
  if (t) { *head = t->next; if (*head == NULL) *tail = NULL; t->next = NULL; }
  return t;
}

static void *worker(void *arg) {
  orr_fetch *f = arg;
  pthread_mutex_lock(&f->lock);
  for (;;) {
    orr_transfer *t;
    while (f->work_head == NULL && !f->stopping) pthread_cond_wait(&f->work_cv, &f->lock);
    if (f->stopping) break;
    t = pop(&f->work_head, &f->work_tail);
    pthread_mutex_unlock(&f->lock);
    f->opts.process(t, f->opts.process_ud);
    pthread_mutex_lock(&f->lock);
    push(&f->done_head, &f->done_tail, t);
    f->processing--;
    f->ndone++;
    pthread_cond_signal(&f->done_cv);
  }
  pthread_mutex_unlock(&f->lock);
  if (f->opts.thread_end) f->opts.thread_end();
  return NULL;
}

static void start_workers(orr_fetch *f) {
  int i, n = f->opts.workers;
  pthread_mutex_init(&f->lock, NULL);
  pthread_cond_init(&f->work_cv, NULL);
  pthread_cond_init(&f->done_cv, NULL);
  if (f->opts.process == NULL || n < 1) return;
  f->threads = calloc((size_t)n, sizeof *f->threads);
  for (i = 0; f->threads && i < n; i++) {
    if (pthread_create(&f->threads[i], NULL, worker, f) != 0) break;
    f->nthreads++;
  }
}

static void stop_workers(orr_fetch *f) {
  int i;
  orr_transfer *t;
  pthread_mutex_lock(&f->lock);
  f->stopping = 1;
  pthread_cond_broadcast(&f->work_cv);
  pthread_mutex_unlock(&f->lock);
  if (f->net_started) {
    curl_multi_wakeup(f->multi);           /* out of curl_multi_poll, to see `stopping` */
    pthread_join(f->net, NULL);
  }
  for (i = 0; i < f->nthreads; i++) pthread_join(f->threads[i], NULL);
  free(f->threads);
  while ((t = pop(&f->work_head, &f->work_tail)) != NULL) orr_transfer_free(t);
  while ((t = pop(&f->done_head, &f->done_tail)) != NULL) orr_transfer_free(t);
  pthread_cond_destroy(&f->work_cv);
  pthread_cond_destroy(&f->done_cv);
  pthread_mutex_destroy(&f->lock);
}

static int curl_ready;

static struct host_state *host_get(orr_fetch *f, const char *name);

static char *header_value(const char *line, size_t len, const char *name);

static void end_inflate(orr_transfer *t);

/* Do the first bytes of a body look like a document (markup or JSON, maybe after a byte
** order mark and blanks), not like compressed data? */
static int looks_plain(const char *d, size_t n) {
  size_t i = n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3) ? 3 : 0;
  while (i < n && i < 256 && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n')) i++;
  return i < n && (d[i] == '<' || d[i] == '{');
}

/* Undo the response's Content-Encoding (gzip, or deflate with or without its zlib header)
** into t->body, bounded by max_bytes of output.  The wire bytes are kept beside it for a
** gzip body.  libcurl could decode it, but then the gzip copy that orrery keeps of a
** feed document would have to be compressed again: that was a third of a cold refresh's
** CPU (101 MB of documents at 1,000 feeds), and the server's own copy costs nothing. */
static int inflate_body(orr_transfer *t, const char *data, size_t len) {
  z_stream *z = t->z;
  if (t->z_end) return 1;                 /* bytes after the stream's end: ignored, as libcurl does */
  if (z == NULL) {
    if ((z = calloc(1, sizeof *z)) == NULL) return 0;
    if (inflateInit2(z, t->coding == 1 ? 15 + 16 : 15) != Z_OK) { free(z); return 0; }
    t->z = z;
  }
  z->next_in = (Bytef *)data;
  z->avail_in = (uInt)len;
  while (z->avail_in > 0) {
    size_t room;
    int rc;
    /* room for one byte past the cap: a body of exactly max_bytes still ends cleanly */
    room = t->max_bytes - t->body.len < 65535 ? t->max_bytes - t->body.len + 1 : 65536;
    orr_buf_reserve(&t->body, room);
    if (!orr_buf_ok(&t->body)) return 0;
    z->next_out = (Bytef *)t->body.data + t->body.len;
    z->avail_out = (uInt)room;
    rc = inflate(z, Z_NO_FLUSH);
    if (rc == Z_DATA_ERROR && t->coding == 2 && !t->z_raw && z->total_out == 0) {
      /* "deflate" sent as a bare deflate stream, as some servers do: start again headerless
      ** from the first byte (all of them are in t->wire) */
      t->z_raw = 1;
      if (inflateReset2(z, -15) != Z_OK) return 0;
      z->next_in = (Bytef *)t->wire.data;
      z->avail_in = (uInt)t->wire.len;
      continue;
    }
    if (rc == Z_DATA_ERROR && z->total_out == 0 && looks_plain(t->wire.data, t->wire.len)) {
      /* said gzip or deflate, sent as it is (a server's configuration gone wrong): read as
      ** it came, as feedparser and curl's users' fallbacks do */
      t->coding = 0;
      orr_buf_add(&t->body, t->wire.data, t->wire.len);
      orr_buf_free(&t->wire);
      end_inflate(t);
      return orr_buf_ok(&t->body);
    }
    t->body.len += room - z->avail_out;
    t->body.data[t->body.len] = '\0';
    if (t->body.len > t->max_bytes) { t->too_big = 1; return 0; }
    if (rc == Z_STREAM_END) {
      t->z_end = 1;
      if (z->avail_in > 0) orr_buf_free(&t->wire);   /* then it is not the body's own copy */
      return 1;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      snprintf(t->error, sizeof t->error, "the %s body does not decode: %s", t->coding_name,
               z->msg ? z->msg : "corrupt data");
      return 0;
    }
  }
  return 1;
}

/* A gzip body of one member whose trailer gives its size within max_bytes, decoded into
** t->body in one call of libdeflate: three times zlib's speed on the bench's farm (0.10-0.13
** s against 0.30-0.35 s for its 101 MB), where the decoding was a tenth of a cold refresh's
** CPU.  0 (nothing decoded) for anything else, which inflate_body then reads: several
** members or bytes after the stream, a body cut short or corrupt, one said to be gzip that
** is not, a size past the cap — zlib says what is wrong, keeps what decodes, stops at the
** cap. */
static int gunzip_whole(orr_transfer *t) {
  const unsigned char *w = (const unsigned char *)t->wire.data;
  size_t n = t->wire.len, used = 0, out = 0, size;
  struct libdeflate_decompressor *d;
  enum libdeflate_result rc;
  if (n < 18 || memcmp(w, "\x1F\x8B\x08", 3) != 0 || t->body.len != 0) return 0;
  size = (size_t)w[n - 4] | (size_t)w[n - 3] << 8 | (size_t)w[n - 2] << 16 | (size_t)w[n - 1] << 24;
  if (size > t->max_bytes) return 0;
  orr_buf_reserve(&t->body, size + 1);
  if (!orr_buf_ok(&t->body) || (d = libdeflate_alloc_decompressor()) == NULL) return 0;
  rc = libdeflate_gzip_decompress_ex(d, w, n, t->body.data, size, &used, &out);
  libdeflate_free_decompressor(d);
  if (rc != LIBDEFLATE_SUCCESS || used != n || out != size) { t->body.data[0] = '\0'; return 0; }
  t->body.len = size;
  t->body.data[size] = '\0';
  t->z_end = 1;
  return 1;
}

/* Undo a finished body's Content-Encoding: 0 when it cannot be read (t->error or
** t->too_big says why). */
static int decode_body(orr_transfer *t) {
  if (t->coding == 1 && gunzip_whole(t)) return 1;
  return inflate_body(t, t->wire.data, t->wire.len);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
  orr_transfer *t = ud;
  size_t len = size * n;
  if (t->coding < 0) {
    snprintf(t->error, sizeof t->error, "unsupported Content-Encoding: %s", t->coding_name);
    return 0;
  }
  if (t->coding > 0) {                       /* decoded when it is all here (decode_body) */
    if (t->wire.len + len > t->max_bytes) { t->too_big = 1; return 0; }
    orr_buf_add(&t->wire, data, len);
    return orr_buf_ok(&t->wire) ? len : 0;
  }
  if (t->body.len + len > t->max_bytes) { t->too_big = 1; return 0; }   /* aborts */
  orr_buf_add(&t->body, data, len);
  return orr_buf_ok(&t->body) ? len : 0;
}

/* The Content-Encoding header's value: which decoder on_body runs.  A compression orrery
** cannot undo (one it did not ask for) ends the transfer; a value that names none ("none",
** "utf-8", "binary": servers send such) is read as no encoding, as browsers read it. */
static void set_coding(orr_transfer *t, const char *line, size_t len) {
  char *v = header_value(line, len, "Content-Encoding");
  size_t i;
  if (v == NULL) return;
  for (i = 0; v[i]; i++) v[i] = (char)tolower((unsigned char)v[i]);
  snprintf(t->coding_name, sizeof t->coding_name, "%s", v);
  if (strcmp(v, "gzip") == 0 || strcmp(v, "x-gzip") == 0) t->coding = 1;
  else if (strcmp(v, "deflate") == 0) t->coding = 2;
  else if (strcmp(v, "br") == 0 || strcmp(v, "zstd") == 0 || strcmp(v, "compress") == 0 ||
           strcmp(v, "x-compress") == 0 || strchr(v, ',') != NULL) t->coding = -1;
  else t->coding = 0;
  free(v);
}

static char *header_value(const char *line, size_t len, const char *name) {
  size_t nlen = strlen(name), s, e;
  char *v;
  if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':') return NULL;
  s = nlen + 1;
  e = len;
  while (s < e && (line[s] == ' ' || line[s] == '\t')) s++;
  while (e > s && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ')) e--;
  v = malloc(e - s + 1);
  if (v == NULL) return NULL;
  memcpy(v, line + s, e - s);
  v[e - s] = '\0';
  orr_utf8_scrub(v);                   /* (any bytes a server sends: Lua and SQLite get UTF-8) */
  return v;
}

static void replace(char **slot, char *v) {
  if (v == NULL) return;
  free(*slot);
  *slot = v;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud) {
  orr_transfer *t = ud;
  size_t len = size * n;
  if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
    /* a new response: the previous one was a redirect hop (or 1xx) */
    const char *sp = memchr(data, ' ', len);
    long code = sp ? strtol(sp + 1, NULL, 10) : 0;
    if (t->hop_status >= 300 && t->hop_status < 400) {
      t->redirects++;
      if (t->hop_status != 301 && t->hop_status != 308) t->all_permanent = 0;
    }
    if (code >= 200) {
      free(t->etag); free(t->last_modified); free(t->content_type); free(t->retry_after);
      t->etag = t->last_modified = t->content_type = t->retry_after = NULL;
      t->coding = 0;
      t->coding_name[0] = '\0';
    }
    t->hop_status = code;
    return len;
  }
  replace(&t->etag, header_value(data, len, "ETag"));
  replace(&t->last_modified, header_value(data, len, "Last-Modified"));
  replace(&t->content_type, header_value(data, len, "Content-Type"));
  replace(&t->retry_after, header_value(data, len, "Retry-After"));
  set_coding(t, data, len);
  return len;
}

orr_fetch *orr_fetch_new(const orr_fetch_opts *opts) {
  orr_fetch *f;
  if (!curl_ready) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
    curl_ready = 1;
  }
  f = calloc(1, sizeof *f);
  if (f == NULL) return NULL;
  f->opts = *opts;
  if (opts->user_agent) {
    f->user_agent = strdup(opts->user_agent);
    if (f->user_agent == NULL) { free(f); return NULL; }
    f->opts.user_agent = f->user_agent;
  }
  if (f->opts.parallel < 1) f->opts.parallel = 1;
  f->active = calloc((size_t)f->opts.parallel, sizeof *f->active);
  f->multi = f->active ? curl_multi_init() : NULL;
  if (f->multi == NULL) { free(f->active); free(f->user_agent); free(f); return NULL; }
  /* no libcurl limits here (see the header): the queue below is the only one */
  curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
  /* Enough finished transfers waiting that the network runs ahead while a commit or a
  ** big feed holds the caller (1,000 feeds at 32 at once: 2x parallel, 11.0 s; 4x, 10.0 s
  ** and 50 MB peak; 6x, 10.0 s and 66 MB), few enough to bound memory. */
  f->max_backlog = 4 * (size_t)f->opts.parallel + 2;
  start_workers(f);
  return f;
}

static void end_inflate(orr_transfer *t) {
  if (t->z) { inflateEnd(t->z); free(t->z); t->z = NULL; }
}

void orr_transfer_free(orr_transfer *t) {
  if (t == NULL) return;
  if (t->easy) curl_easy_cleanup(t->easy);
  curl_slist_free_all(t->headers);
  free(t->url); free(t->final_url); free(t->moved_to);
  free(t->etag); free(t->last_modified); free(t->content_type); free(t->retry_after);
  free(t->req_etag); free(t->req_last_modified);
  free(t->note);
  free(t->guard);
  free(t->user_agent); free(t->cookie); free(t->userpwd); free(t->proxy); free(t->post);
  free(t->extra_headers);
  if (t->product && t->free_product) t->free_product(t->product);
  orr_buf_free(&t->body);
  orr_buf_free(&t->wire);
  end_inflate(t);
  free(t);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* {====== The guard: no private address for a guarded request ====== */

int orr_address_private(const char *ip) {
  unsigned char a[16];
  if (inet_pton(AF_INET, ip, a) == 1) {
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xC0) == 64) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xF0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
           (a[0] == 198 && (a[1] & 0xFE) == 18) || (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
           (a[0] == 203 && a[1] == 0 && a[2] == 113) || a[0] >= 224;
  }
  if (inet_pton(AF_INET6, ip, a) == 1) {
    static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xFF,0xFF };
    static const unsigned char nat64[12] = { 0,0x64,0xFF,0x9B,0,0,0,0,0,0,0,0 };
    static const unsigned char zero[15] = { 0 };
    char v4[INET_ADDRSTRLEN];
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 || memcmp(a, zero, 12) == 0) {
      if (memcmp(a, zero, 15) == 0) return 1;            /* :: and ::1 */
      return inet_ntop(AF_INET, a + 12, v4, sizeof v4) == NULL || orr_address_private(v4);
    }
    return (a[0] == 0 && a[1] == 0x64 && a[2] == 0xFF && a[3] == 0x9B && a[4] == 0 && a[5] == 1) ||
                                                          /* 64:ff9b:1::/48 local-use NAT64 */
           (a[0] == 0x01 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 &&
            a[7] == 0) ||                                 /* 100::/64 discard-only */
           (a[0] & 0xFE) == 0xFC ||                       /* fc00::/7 unique-local */
           (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||     /* fe80::/10 link-local */
           (a[0] == 0xFE && (a[1] & 0xC0) == 0xC0) ||     /* fec0::/10 site-local (old) */
           a[0] == 0xFF ||                                /* multicast */
           (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0D && a[3] == 0xB8) ||   /* documentation */
           (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) ||         /* Teredo */
           (a[0] == 0x20 && a[1] == 0x02);                /* 6to4: v4 inside, unchecked */
  }
  return 1;
}

/* The "host:port" of an http(s) URL, lower case, the port explicit, into out; returns the
** host's length in it (0 if none). */
static size_t host_port(const char *url, char *out, size_t n) {
  const char *h = strstr(url, "://"), *e, *at, *colon = NULL;
  size_t len, i;
  int https;
  if (h == NULL) return 0;
  https = h - url == 5;
  h += 3;
  e = h + strcspn(h, "/?#");
  if ((at = memchr(h, '@', (size_t)(e - h))) != NULL) h = at + 1;
  if (*h == '[') { const char *rb = memchr(h, ']', (size_t)(e - h)); colon = rb && rb + 1 < e && rb[1] == ':' ? rb + 1 : NULL; }
  else colon = memchr(h, ':', (size_t)(e - h));
  len = (size_t)((colon ? colon : e) - h);
  if (len == 0 || len + 8 >= n) return 0;
  for (i = 0; i < len; i++) out[i] = (char)tolower((unsigned char)h[i]);
  snprintf(out + len, n - len, ":%.*s", colon ? (int)(e - colon - 1) : 3, colon ? colon + 1 : https ? "443" : "80");
  return len;
}

/* Is host:port one of the words of guard (" a:80 b:443 ")? */
static int guard_names(const char *guard, const char *hp) {
  char word[310];
  snprintf(word, sizeof word, " %s ", hp);
  return strstr(guard, word) != NULL;
}

/* Would libcurl find a proxy in the environment (for any scheme: a redirect may change it)? */
static int proxy_in_environment(void) {
  static const char *const names[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
  size_t i;
  for (i = 0; i < sizeof names / sizeof *names; i++) {
    const char *v = getenv(names[i]);
    if (v && *v) return 1;
  }
  return 0;
}

/* Through a proxy the connection reaches the proxy, which then reaches the host by its own
** lookup: the address checked is the one the host (hp's first len bytes, of host_port's
** "host:port") resolves to here.
** 1 when one of its addresses is private; 0 when none is, or when the name does not
** resolve here (a network that reaches the web only through its proxy: the proxy's DNS is
** then the only one, and the rule is the proxy's to keep).  The lookup blocks (the
** system resolver's own timeouts bound it): only a proxied guarded request to a host other
** than the feed's own pays it, before each such request. */
static int resolves_private(const char *hp, size_t len) {
  char host[300], ip[INET6_ADDRSTRLEN];
  struct addrinfo hints, *res = NULL, *a;
  int found = 0;
  if (len >= 2 && hp[0] == '[') { hp++; len -= 2; }          /* [v6] */
  if (len == 0 || len >= sizeof host) return 0;
  memcpy(host, hp, len);
  host[len] = '\0';
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, NULL, &hints, &res) != 0) return 0;
  for (a = res; a && !found; a = a->ai_next) {
    const void *addr = a->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                     : a->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr
                     : NULL;
    found = addr && inet_ntop(a->ai_family, addr, ip, sizeof ip) && orr_address_private(ip);
  }
  freeaddrinfo(res);
  return found;
}

/* Is the guarded transfer t to refuse reaching a private address (when the URL it is at
** names no host the guard allows)?  Then its error says so, without the address: the
** health page is public, and the address an internal name resolves to would tell whoever
** writes a feed's redirects how the planet's own network is laid out. */
static int refuse(orr_transfer *t) {
  char *url = NULL, hp[300];
  size_t host_len;
  curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
  host_len = url ? host_port(url, hp, sizeof hp) : 0;
  if (host_len && guard_names(t->guard, hp)) return 0;
  t->refused = 1;
  if (!host_len) snprintf(hp, sizeof hp, "the server");
  snprintf(t->error, sizeof t->error, "refused: %.200s is on a private address: only the feed's own host may be", hp);
  return 1;
}

/* libcurl's call for a socket to connect with: a guarded transfer gets none for a private
** address (unless its host is allowed), so that nothing is even connected to there — the
** errors a feed's redirects would meet (connected, refused, timed out) would otherwise map
** the planet's own network for whoever reads its health page.  Through a proxy the address
** is the proxy's, and on_prereq judges the host instead. */
static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a) {
  orr_transfer *t = ud;
  char ip[INET6_ADDRSTRLEN];
  const void *in = a->family == AF_INET ? (const void *)&((struct sockaddr_in *)(void *)&a->addr)->sin_addr
                 : a->family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr
                 : NULL;
  if (purpose == CURLSOCKTYPE_IPCXN && t->guard && !t->proxied &&
      (in == NULL || inet_ntop(a->family, in, ip, sizeof ip) == NULL || orr_address_private(ip)) &&
      refuse(t))
    return CURL_SOCKET_BAD;
  if (t->refused) { t->refused = 0; t->error[0] = '\0'; }   /* (another address of the host will do) */
  return socket(a->family, a->socktype, a->protocol);
}

/* libcurl's call once a connection is made (or reused), before each request, redirects
** included: the address it reached is checked, not the name asked for (a reused connection
** was opened for another URL); through a proxy (whose own address says nothing of where
** the request goes), the host's address. */
static int on_prereq(void *ud, char *ip, char *local_ip, int port, int local_port) {
  orr_transfer *t = ud;
  char *url = NULL, hp[300];
  size_t host_len;
  (void)local_ip; (void)port; (void)local_port;
  if (t->guard == NULL || (!t->proxied && !orr_address_private(ip))) return CURL_PREREQFUNC_OK;
  if (t->proxied) {
    curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
    host_len = url ? host_port(url, hp, sizeof hp) : 0;
    if (host_len && guard_names(t->guard, hp)) return CURL_PREREQFUNC_OK;
    if (!host_len || !resolves_private(hp, host_len)) return CURL_PREREQFUNC_OK;
  }
  return refuse(t) ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}
/* }====== */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int orr_fetch_add(orr_fetch *f, const orr_request *r) {
  orr_transfer *t;
  const char *guard = r->guard;
  if (f->nqueue == f->capqueue) {
    size_t cap = f->capqueue ? f->capqueue * 2 : 64;
    orr_transfer **q = realloc(f->queue, cap * sizeof *q);
    if (q == NULL) return 0;
    f->queue = q;
    f->capqueue = cap;
  }
  t = calloc(1, sizeof *t);
  if (t == NULL) return 0;
  orr_buf_init(&t->body);
  orr_buf_init(&t->wire);
  t->index = f->nqueue;
  t->url = strdup(r->url);
  t->req_etag = dup_or_null(r->etag);
  t->req_last_modified = dup_or_null(r->last_modified);
  t->note = dup_or_null(f->opts.process ? r->note : NULL);
  t->user_agent = dup_or_null(r->user_agent);
  t->cookie = dup_or_null(r->cookie);
  t->userpwd = dup_or_null(r->userpwd);
  t->proxy = dup_or_null(r->proxy);
  t->proxied = guard && (r->proxy || proxy_in_environment());
  t->post = dup_or_null(r->post);
  t->extra_headers = dup_or_null(r->headers);
  t->timeout_ms = r->timeout_ms;
  if (guard) {                            /* the URLs it names, as host:port words */
    orr_buf g;
    const char *p = guard;
    orr_buf_init(&g);
    orr_buf_addc(&g, ' ');                /* (never empty: "" still guards) */
    while (*p) {
      size_t n = strcspn(p, " ");
      char word[300], hp[300];
      if (n > 0 && n < sizeof word) {
        memcpy(word, p, n);
        word[n] = '\0';
        if (host_port(word, hp, sizeof hp)) { orr_buf_adds(&g, hp); orr_buf_addc(&g, ' '); }
      }
      p += n + (p[n] == ' ');
    }
    t->guard = orr_buf_ok(&g) ? orr_buf_take(&g) : NULL;
    orr_buf_free(&g);
  }
  t->free_product = f->opts.free_product;
  t->queued_at = now_s();
  if (t->url == NULL || (r->etag && !t->req_etag) || (r->last_modified && !t->req_last_modified) ||
      (t->note == NULL && r->note && f->opts.process) || (guard && !t->guard) ||
      (r->user_agent && !t->user_agent) || (r->cookie && !t->cookie) || (r->userpwd && !t->userpwd) ||
      (r->proxy && !t->proxy) || (r->post && !t->post) || (r->headers && !t->extra_headers)) {
    orr_transfer_free(t);
    return 0;
  }
  {                                       /* the host, for the per-host limit */
    const char *h = strstr(t->url, "://"), *e, *at;
    size_t n, i;
    h = h ? h + 3 : t->url;
    e = h + strcspn(h, "/?#");
    if ((at = memchr(h, '@', (size_t)(e - h))) != NULL) h = at + 1;
    n = (size_t)(e - h) < sizeof t->host - 1 ? (size_t)(e - h) : sizeof t->host - 1;
    for (i = 0; i < n; i++) t->host[i] = (char)tolower((unsigned char)h[i]);
    t->host[n] = '\0';
  }
  {                                       /* (added before the network thread starts) */
    struct host_state *hs = host_get(f, t->host);
    if (hs == NULL) { orr_transfer_free(t); return 0; }
    hs->requests++;
  }
  f->queue[f->nqueue++] = t;
  f->waiting++;
  return 1;
}

static int header_line(struct curl_slist **list, const char *name, const char *value) {
  char line[1024];
  struct curl_slist *l;
  if (value == NULL || strlen(value) > 900 || strpbrk(value, "\r\n")) return 1;
  snprintf(line, sizeof line, "%s: %s", name, value);
  l = curl_slist_append(*list, line);
  if (l == NULL) return 0;
  *list = l;
  return 1;
}

/* Set up and add the transfer to the multi handle; on failure it completes at once. */
static int start(orr_fetch *f, orr_transfer *t) {
  const orr_fetch_opts *o = &f->opts;
  struct curl_slist *h = NULL;
  CURL *e = curl_easy_init();
  if (e == NULL) return 0;
  t->easy = e;
  t->all_permanent = 1;
  t->max_bytes = o->max_bytes ? o->max_bytes : (size_t)-1;
  if (!header_line(&h, "If-None-Match", t->req_etag) ||
      !header_line(&h, "If-Modified-Since", t->req_last_modified) ||
      !header_line(&h, "Cookie", t->cookie) ||
      !header_line(&h, "Accept", "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, application/feed+json;q=0.8, text/html;q=0.5, */*;q=0.1"))
    { curl_slist_free_all(h); return 0; }
  if (t->extra_headers) {                 /* the caller's, one a line */
    const char *p = t->extra_headers;
    while (*p) {
      size_t n = strcspn(p, "\n");
      char line[1024];
      struct curl_slist *l;
      if (n > 0 && n < sizeof line) {
        memcpy(line, p, n);
        line[n] = '\0';
        if ((l = curl_slist_append(h, line)) == NULL) { curl_slist_free_all(h); return 0; }
        h = l;
      }
      p += n + (p[n] == '\n');
    }
  }
  t->headers = h;
  curl_easy_setopt(e, CURLOPT_URL, t->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->curl_error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, o->max_redirects);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  /* compressed bodies, decoded by on_body (libcurl would not keep the gzip copy) */
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t->timeout_ms > 0 ? t->timeout_ms : o->timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
  if (o->low_speed_time > 0) {
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit > 0 ? o->low_speed_limit : 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
  }
  if (o->max_bytes) curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
  if (t->user_agent || o->user_agent)
    curl_easy_setopt(e, CURLOPT_USERAGENT, t->user_agent ? t->user_agent : o->user_agent);
  if (t->userpwd) {                       /* (libcurl sends it to the URL's own host only) */
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_USERPWD, t->userpwd);
  }
  if (t->proxy) curl_easy_setopt(e, CURLOPT_PROXY, t->proxy);
  if (t->post) curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->post);
  /* A short-lived DNS cache: libcurl 7.88 scans its whole cache on every lookup, and with
  ** a planet's thousands of hosts kept for the default minute that scan became most of a
  ** refresh's CPU (10,000 feeds on their own hosts, warm: 21.6 s of user CPU; 14.4 s with
  ** 5 s, 13.7 s with none).  Feeds of one host are fetched close together (the per-host
  ** limit queues them), so 5 s still saves their lookups; connections are reused anyway. */
  curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 5L);
  if (t->guard) {
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
  }
  {
    /* A connection to a host the batch asks nothing more is closed at once, not kept for
    ** reuse: libcurl 7.88 searches its whole cache of idle connections for the oldest one
    ** each time a transfer ends while the cache is full, and on a planet of blogs each on
    ** its own host it fills with connections never used again (10,000 feeds, warm: the
    ** network thread's CPU 6.6-8.4 s before, 3.2-3.4 s after, alternate runs). */
    struct host_state *hs = host_get(f, t->host);
    if (hs != NULL && hs->requests <= 1) curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  }
  t->wait = now_s() - t->queued_at;
  if (curl_multi_add_handle(f->multi, e) != CURLM_OK) return 0;
  f->running++;
  return 1;
}

/* A body that is still gzip after its Content-Encoding was undone (compressed twice), or
** that came gzip without one (a "feed.xml.gz" served as XML): no feed starts with gzip's
** magic bytes, so it goes through the decoder again, within the same max_bytes.  Left as it
** is when that fails. */
static void gunzip_again(orr_transfer *t) {
  orr_buf gz = t->body;
  int coding = t->coding, z_end = t->z_end;
  if (gz.len < 18 || memcmp(gz.data, "\x1F\x8B\x08", 3) != 0) return;
  end_inflate(t);                             /* (the first decoding's stream, if any) */
  orr_buf_init(&t->body);
  t->coding = 1;
  t->z_end = 0;
  if (inflate_body(t, gz.data, gz.len) && t->z_end) {
    orr_buf_free(&gz);
    orr_buf_free(&t->wire);                   /* (not this body's gzip any more) */
    t->coding = 0;
  } else {
    orr_buf_free(&t->body);
    t->body = gz;
    t->coding = coding;
    t->z_end = z_end;
    t->too_big = 0;
    t->error[0] = '\0';
  }
  end_inflate(t);
}

/* Fill in the outcome of a finished transfer. */
static void finish(orr_transfer *t, CURLcode rc) {
  char *eff = NULL;
  double secs = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
  curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &eff);
  curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &secs);
  t->seconds = secs;
  t->final_url = eff ? strdup(eff) : NULL;
  if (t->redirects > 0 && t->all_permanent && t->final_url && rc == CURLE_OK)
    t->moved_to = strdup(t->final_url);
  if (rc == CURLE_OK && t->coding > 0 && t->wire.len > 0 && !decode_body(t)) rc = CURLE_WRITE_ERROR;
  if (rc == CURLE_OK) {
    t->ok = 1;
    gunzip_again(t);
  } else if (t->refused || t->error[0]) {
    /* (the guard's or the decoder's message is in t->error already) */
  } else if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
    snprintf(t->error, sizeof t->error, "body larger than the %zu byte limit", t->max_bytes);
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    snprintf(t->error, sizeof t->error, "timed out: %s",
             t->curl_error[0] ? t->curl_error : curl_easy_strerror(rc));
  } else if (rc == CURLE_OUT_OF_MEMORY && !t->curl_error[0] && t->body.len == 0 && t->wire.len == 0) {
    /* libcurl says only "Out of memory" when a header line is longer than it takes */
    snprintf(t->error, sizeof t->error, "a response header line longer than libcurl reads "
             "(%d bytes; libcurl: %s)", CURL_MAX_HTTP_HEADER, curl_easy_strerror(rc));
  } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
    snprintf(t->error, sizeof t->error, "too many redirects (more than %d)", t->redirects);
  } else {
    snprintf(t->error, sizeof t->error, "%s", t->curl_error[0] ? t->curl_error
                                                                : curl_easy_strerror(rc));
  }
  /* the wire copy is the body's gzip only when the stream ended (a body cut short keeps
  ** what decoded, as a plain one would, for the parser to recover what it can) */
  orr_utf8_scrub(t->error);            /* (libcurl's message may quote what a server sent) */
  if (t->coding != 1 || !t->z_end) orr_buf_free(&t->wire);
  end_inflate(t);
  if (!t->ok) { orr_buf_free(&t->body); orr_buf_free(&t->wire); }
  curl_easy_cleanup(t->easy);
  t->easy = NULL;
}

/* {====== Hosts: spacing and holds (network thread) ====== */

static size_t host_hash(const char *s) {
  size_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The state of host name, made when missing; NULL when out of memory. */
static struct host_state *host_get(orr_fetch *f, const char *name) {
  size_t i;
  if (f->nhosts * 2 >= f->nhosts_cap) {        /* grow: at most half full */
    size_t cap = f->nhosts_cap ? f->nhosts_cap * 2 : 64, j;
    struct host_state *n = calloc(cap, sizeof *n);
    if (n == NULL) return NULL;
    for (j = 0; j < f->nhosts_cap; j++) {
      if (f->hosts[j].name[0] == '\0') continue;
      i = host_hash(f->hosts[j].name) & (cap - 1);
      while (n[i].name[0]) i = (i + 1) & (cap - 1);
      n[i] = f->hosts[j];
    }
    free(f->hosts);
    f->hosts = n;
    f->nhosts_cap = cap;
  }
  i = host_hash(name) & (f->nhosts_cap - 1);
  while (f->hosts[i].name[0] && strcmp(f->hosts[i].name, name) != 0) i = (i + 1) & (f->nhosts_cap - 1);
  if (f->hosts[i].name[0] == '\0') {
    snprintf(f->hosts[i].name, sizeof f->hosts[i].name, "%s", name[0] ? name : "-");
    f->hosts[i].last_start = -1e9;
    f->nhosts++;
  }
  return &f->hosts[i];
}

/* A host answered 429 or 503: nothing more is asked of it in this batch. */
static void hold_host(orr_fetch *f, const orr_transfer *t) {
  struct host_state *hs = host_get(f, t->host);
  char why[300];
  if (hs == NULL || hs->held) return;
  snprintf(why, sizeof why, "not requested: %s answered HTTP %ld%s%s%s to %.120s", t->host, t->status,
           t->retry_after ? " (Retry-After: " : "", t->retry_after ? t->retry_after : "",
           t->retry_after ? ")" : "", t->url);
  orr_utf8_scrub(why);                 /* (the URL cut at a byte count) */
  hs->held = strdup(why);
  if (hs->held) f->nheld++;
}

/* }====== */

static size_t host_running(const orr_fetch *f, const char *host) {
  size_t i, n = 0;
  for (i = 0; i < f->running; i++)
    if (strcmp(f->active[i]->host, host) == 0) n++;
  return n;
}

static void forget_active(orr_fetch *f, orr_transfer *t) {
  size_t i;
  for (i = 0; i < f->running; i++)
    if (f->active[i] == t) { f->active[i] = f->active[--f->running]; return; }
}

/* Start waiting transfers while there is room, in queue order, skipping those whose host is
** at its limit.  Only a window of the queue is looked at, so a queue full of one busy host
** costs little; that host is the bottleneck then anyway. */
static orr_transfer *refill(orr_fetch *f) {
  size_t i, window = 64 + 4 * (size_t)f->opts.parallel, seen = 0;
  double now = 0, spacing = (double)f->opts.host_spacing_ms / 1000.0;
  f->next_due = 0;
  while (f->first_waiting < f->nqueue &&
         (f->queue[f->first_waiting] == NULL || f->queue[f->first_waiting]->started))
    f->first_waiting++;
  for (i = f->first_waiting; i < f->nqueue && seen < window &&
                             f->running < (size_t)f->opts.parallel; i++) {
    orr_transfer *t = f->queue[i];
    struct host_state *hs = NULL;
    if (t == NULL || t->started) continue;
    seen++;
    if (f->nheld > 0 || spacing > 0) {
      hs = host_get(f, t->host);
      if (hs && hs->held) {                 /* ends now, never requested */
        t->started = 1;
        t->held = 1;
        f->waiting--;
        f->queue[i] = NULL;
        t->wait = now_s() - t->queued_at;
        snprintf(t->error, sizeof t->error, "%s", hs->held);
        return t;
      }
      if (hs && spacing > 0) {
        double due = hs->last_start + spacing;
        if (now == 0) now = now_s();
        if (due > now) {                    /* too soon for this host: wake up when it is time */
          if (f->next_due == 0 || due < f->next_due) f->next_due = due;
          continue;
        }
      }
    }
    if (f->opts.per_host > 0 && host_running(f, t->host) >= (size_t)f->opts.per_host) continue;
    t->started = 1;
    f->waiting--;
    if (hs) hs->last_start = now ? now : now_s();
    if (!start(f, t)) {
      f->queue[i] = NULL;
      if (t->easy) { curl_easy_cleanup(t->easy); t->easy = NULL; }
      snprintf(t->error, sizeof t->error, "could not start the transfer (out of memory)");
      return t;
    }
    f->active[f->running - 1] = t;
  }
  return NULL;
}

/* Hand a finished transfer on: to the parsing threads when it has work for them, else
** (or when there are none) processed here and straight to the caller.  Network thread. */
static void hand_over(orr_fetch *f, orr_transfer *t) {
  int work = t->ok && t->note;
  if (work && f->nthreads == 0) { f->opts.process(t, f->opts.process_ud); work = 0; }
  pthread_mutex_lock(&f->lock);
  if (work) {
    push(&f->work_head, &f->work_tail, t);
    f->processing++;
    pthread_cond_signal(&f->work_cv);
  } else {
    push(&f->done_head, &f->done_tail, t);
    f->ndone++;
    pthread_cond_signal(&f->done_cv);
  }
  pthread_mutex_unlock(&f->lock);
}

/* The network thread: it alone drives the multi handle, so transfers keep starting and
** finishing while the caller stores what came in (a long database commit used to hold
** every idle connection until it was over). */
static void *network(void *arg) {
  orr_fetch *f = arg;
  for (;;) {
    CURLMsg *msg;
    int left, still, stop;
    orr_transfer *failed;
    size_t backlog;
    pthread_mutex_lock(&f->lock);
    stop = f->stopping;
    backlog = f->ndone + f->processing;
    f->throttled = backlog >= f->max_backlog;
    pthread_mutex_unlock(&f->lock);
    if (stop) break;
    if (backlog < f->max_backlog)
      while ((failed = refill(f)) != NULL) hand_over(f, failed);
    while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
      orr_transfer *t = NULL;
      if (msg->msg != CURLMSG_DONE) continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
      curl_multi_remove_handle(f->multi, msg->easy_handle);
      forget_active(f, t);
      finish(t, msg->data.result);
      if (t->ok && (t->status == 429 || t->status == 503)) hold_host(f, t);
      f->queue[t->index] = NULL;
      hand_over(f, t);
    }
    if (f->running == 0 && f->waiting == 0) break;
    {
      /* wait for the network, or until host spacing lets a waiting transfer start */
      int ms = 1000;
      if (f->next_due > 0) {
        double d = (f->next_due - now_s()) * 1000.0 + 1;
        ms = d < 1 ? 1 : d < 1000 ? (int)d : 1000;
      }
      if (curl_multi_perform(f->multi, &still) != CURLM_OK ||
          (still == (int)f->running && curl_multi_poll(f->multi, NULL, 0, ms, NULL) != CURLM_OK)) {
        pthread_mutex_lock(&f->lock);
        f->net_failed = 1;
        pthread_mutex_unlock(&f->lock);
        break;
      }
    }
  }
  if (f->nthreads == 0 && f->opts.thread_end) f->opts.thread_end();   /* it processed, then */
  pthread_mutex_lock(&f->lock);
  f->net_cpu = orr_thread_cpu();
  f->net_done = 1;
  pthread_cond_broadcast(&f->done_cv);
  pthread_mutex_unlock(&f->lock);
  return NULL;
}

orr_transfer *orr_fetch_next(orr_fetch *f, int *oom) {
  orr_transfer *t;
  *oom = 0;
  if (!f->net_started) {
    if (pthread_create(&f->net, NULL, network, f) != 0) { *oom = 1; return NULL; }
    f->net_started = 1;
  }
  pthread_mutex_lock(&f->lock);
  while (f->done_head == NULL && (!f->net_done || f->processing > 0))
    pthread_cond_wait(&f->done_cv, &f->lock);
  t = pop(&f->done_head, &f->done_tail);
  if (t) f->ndone--;
  else *oom = f->net_failed;
  if (t && f->throttled) curl_multi_wakeup(f->multi);   /* room again: start more */
  pthread_mutex_unlock(&f->lock);
  if (t) f->handed++;
  return t;
}

double orr_fetch_network_cpu(orr_fetch *f) {
  double v;
  pthread_mutex_lock(&f->lock);
  v = f->net_done ? f->net_cpu : 0;
  pthread_mutex_unlock(&f->lock);
  return v;
}

size_t orr_fetch_pending(orr_fetch *f) {
  return f->nqueue - f->handed;
}

void orr_fetch_free(orr_fetch *f) {
  size_t i;
  if (f == NULL) return;
  stop_workers(f);
  for (i = 0; i < f->nqueue; i++) {
    orr_transfer *t = f->queue[i];
    if (t == NULL) continue;
    if (t->easy) curl_multi_remove_handle(f->multi, t->easy);
    orr_transfer_free(t);
  }
  free(f->queue);
  free(f->active);
  for (i = 0; i < f->nhosts_cap; i++) free(f->hosts[i].held);
  free(f->hosts);
  curl_multi_cleanup(f->multi);
  free(f->user_agent);
  free(f);
}
