/*
** api/fetch.c — orrery._fetch: start(requests [, opts]) -> Batch;  Batch:next() -> result|nil
**                             private(ip) -> whether a guarded request may not reach it
**
** requests: { {url=, etag=, last_modified=, parse=, known=, keep_body=, guard=, and for this
** request alone: user_agent=, headers={name=value}, cookie=, userpwd='user:pw' (Basic auth),
** proxy=, timeout= (s), post= (a form-encoded body: POST)}, ... }.  opts: parallel, per_host,
** host_spacing (s between two starts on a host), timeout, connect_timeout, low_speed_time
** (s) and low_speed_limit (bytes/s), max_bytes, max_redirects, user_agent, workers
** (parsing threads, default 1).
** Each next() runs the transfers until one is done and returns its result:
**   { index, url, final_url, moved_to, status, redirects, etag, last_modified,
**     content_type, retry_after, body, body_gzip, seconds, wait, err,
**     bytes, body_hash, unchanged, feed, parse_err }
** `err` is set (and body absent) when the transfer itself failed, with held = true when it
** was never requested because its host had answered 429/503 in this batch; an HTTP error status is
** not a transfer failure — policy about statuses is Lua's.  `seconds` is the transfer's own
** time, `wait` its time in the queue before it started.  A request with `guard` (a string:
** space-separated URLs) reaches no private address except on the hosts of those URLs.
** A request with parse = true is parsed as a feed on a worker thread as soon as its 2xx
** body is in, while other transfers go on: the result then has body_hash (as
** orrery._util.digest gives it) and either unchanged = true (body_hash equals the request's
** `known`: nothing parsed), feed (what orrery._feed.parse gives, sanitized, based at the
** final URL) or parse_err.  Once parsed well (or found unchanged) the body is dropped,
** unless the request says keep_body: `bytes` still gives its size.  body_gzip, beside a
** body that came gzip-compressed, is the server's gzip of it (what a kept document stores).
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "feed.h"
#include "clock.h"
#include "fetch.h"
#include "html.h"
#include "url.h"

#define BATCH_MT "orrery.fetch.Batch"

/* A batch, and the CPU its parsing threads spent on the results handed over so far. */
typedef struct lbatch {
  orr_fetch *f;
  double hash, xml, sanitize, network;
} lbatch;

static lbatch *check_batch(lua_State *L) {
  lbatch *b = luaL_checkudata(L, 1, BATCH_MT);
  if (b->f == NULL) luaL_error(L, "attempt to use a closed fetch batch");
  return b;
}

typedef struct parsed {
  char hash[18];
  int unchanged;
  orr_feed *feed;
  size_t bytes;                 /* of the body, which is dropped once parsed unless kept */
  char err[320];
  double cpu_hash, cpu_xml, cpu_sanitize;   /* seconds this thread spent on each */
} parsed;

static void free_parsed(void *p) {
  if (p) orr_feed_free(((parsed *)p)->feed);
  free(p);
}

/* The charset parameter of a Content-Type value into out, or NULL. */
static const char *charset(const char *ctype, char *out, size_t size) {
  const char *p;
  size_t n = 0;
  if (ctype == NULL) return NULL;
  for (p = ctype; *p; p++)
    if (strncasecmp(p, "charset", 7) == 0) break;
  if (!*p) return NULL;
  p += 7;
  while (*p == ' ' || *p == '\t') p++;
  if (*p++ != '=') return NULL;
  while (*p == ' ' || *p == '\t' || *p == '"') p++;
  while (*p && n + 1 < size && (isalnum((unsigned char)*p) || strchr("._:-", *p))) out[n++] = *p++;
  out[n] = '\0';
  return n ? out : NULL;
}

/* On a worker thread: hash the body and, unless it is the known one, parse it.  The note
** is "k" or "d" (keep or drop the body once parsed) followed by the known hash, if any: a
** dropped body is memory freed while the result waits for the caller. */
static void parse_body(orr_transfer *t, void *ud) {
  static __thread int quiet;
  parsed *p;
  double t0, s0, w0, cpu, wall;
  (void)ud;
  if (t->status < 200 || t->status > 299) return;
  if (!quiet) { orr_api_quiet_libxml(); quiet = 1; }
  p = calloc(1, sizeof *p);
  if (p == NULL) return;                 /* the Lua side parses it then */
  p->bytes = t->body.len;
  t0 = orr_thread_cpu();
  orr_digest_hex(orr_digest(0, t->body.data ? t->body.data : "", t->body.len), p->hash);
  p->cpu_hash = orr_thread_cpu() - t0;
  if (t->note[0] && t->note[1] && strcmp(t->note + 1, p->hash) == 0) {
    p->unchanged = 1;
  } else {
    orr_feed_opts o;
    char cs[64], why[120], *base;
    memset(&o, 0, sizeof o);
    /* the base of relative links: where the feed came from, without any user:password@
    ** (which would otherwise be written into every link of the entries) */
    base = orr_url_field(t->final_url ? t->final_url : t->url, NULL, ORR_URL_WEB, why, sizeof why);
    o.url = base ? base : t->final_url ? t->final_url : t->url;
    o.encoding = charset(t->content_type, cs, sizeof cs);
    o.sanitize = 1;
    t0 = orr_thread_cpu();
    w0 = orr_clock_now();
    s0 = orr_html_sanitize_time();
    p->feed = orr_feed_parse(t->body.data ? t->body.data : "", t->body.len, &o, p->err, sizeof p->err);
    /* the sanitizer's share of the parse's time is taken as its share of the CPU (its
    ** calls are too many and too short to read the CPU clock around each) */
    cpu = orr_thread_cpu() - t0;
    wall = orr_clock_now() - w0;
    p->cpu_sanitize = wall > 0 ? cpu * (orr_html_sanitize_time() - s0) / wall : 0;
    if (p->cpu_sanitize > cpu) p->cpu_sanitize = cpu;
    p->cpu_xml = cpu - p->cpu_sanitize;                      /* the parse without the sanitizer */
    free(base);
  }
  if ((p->unchanged || (p->feed && !p->feed->bozo)) && t->note[0] == 'd') {
    orr_buf_free(&t->body);
    orr_buf_free(&t->wire);
  }
  t->product = p;
}

/* The string field name of the table on top of the stack, pushed (it stays there, alive);
** NULL when it is not a string. */
static const char *field_str(lua_State *L, const char *name) {
  lua_getfield(L, -1, name);
  if (lua_type(L, -1) == LUA_TSTRING) {
    const char *v = lua_tostring(L, -1);
    lua_insert(L, -2);                         /* keep the value below the request table */
    return v;
  }
  lua_pop(L, 1);
  return NULL;
}

/* The request's headers = { name = value }, as "Name: value" lines (pushed below the request
** table, alive), or NULL.  Names and values were checked by the config; a line break or a
** colon in a name cannot pass here either. */
static const char *header_lines(lua_State *L) {
  orr_buf b;
  int t = lua_gettop(L);
  lua_getfield(L, t, "headers");
  if (!lua_istable(L, -1)) { lua_pop(L, 1); return NULL; }
  orr_buf_init(&b);
  lua_pushnil(L);
  while (lua_next(L, t + 1)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (k && v && !strpbrk(k, ":\r\n") && !strpbrk(v, "\r\n")) {
      orr_buf_adds(&b, k);
      orr_buf_adds(&b, ": ");
      orr_buf_adds(&b, v);
      orr_buf_addc(&b, '\n');
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);                               /* the headers table */
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); luaL_error(L, "out of memory"); }
  lua_pushlstring(L, b.data ? b.data : "", b.len);
  orr_buf_free(&b);
  lua_insert(L, t);                            /* the lines below the request table */
  return lua_tostring(L, t);
}

static int f_start(lua_State *L) {
  orr_fetch_opts o;
  lbatch *b;
  lua_Integer i, n;
  luaL_checktype(L, 1, LUA_TTABLE);
  o.parallel = (long)orr_opt_int(L, 2, "parallel", 8);
  o.per_host = (long)orr_opt_int(L, 2, "per_host", 0);
  o.timeout_ms = (long)(orr_opt_num(L, 2, "timeout", 60) * 1000);
  o.connect_timeout_ms = (long)(orr_opt_num(L, 2, "connect_timeout", 15) * 1000);
  o.low_speed_time = (long)orr_opt_int(L, 2, "low_speed_time", 0);
  o.low_speed_limit = (long)orr_opt_int(L, 2, "low_speed_limit", 100);
  o.max_redirects = (long)orr_opt_int(L, 2, "max_redirects", 5);
  o.max_bytes = (size_t)orr_opt_int(L, 2, "max_bytes", 16 * 1024 * 1024);
  o.user_agent = orr_opt_str(L, 2, "user_agent", NULL);
  o.host_spacing_ms = (long)(orr_opt_num(L, 2, "host_spacing", 0) * 1000);
  o.workers = (int)orr_opt_int(L, 2, "workers", 1);
  o.process = parse_body;
  o.free_product = free_parsed;
  o.thread_end = orr_html_thread_end;
  o.process_ud = NULL;
  if (o.parallel < 1) return luaL_argerror(L, 2, "parallel must be at least 1");

  b = lua_newuserdatauv(L, sizeof *b, 0);     /* created closed, then opened */
  memset(b, 0, sizeof *b);
  luaL_setmetatable(L, BATCH_MT);
  b->f = orr_fetch_new(&o);
  if (b->f == NULL) return luaL_error(L, "could not start libcurl");
  n = (lua_Integer)luaL_len(L, 1);
  for (i = 1; i <= n; i++) {
    orr_request r;
    int top = lua_gettop(L), rt;
    memset(&r, 0, sizeof r);
    lua_geti(L, 1, i);
    if (!lua_istable(L, -1)) return luaL_error(L, "request %d is not a table", (int)i);
    /* (the strings stay alive on the stack until the request is queued) */
    r.url = field_str(L, "url");
    r.etag = field_str(L, "etag");
    r.last_modified = field_str(L, "last_modified");
    r.guard = field_str(L, "guard");
    r.user_agent = field_str(L, "user_agent");
    r.cookie = field_str(L, "cookie");
    r.userpwd = field_str(L, "userpwd");
    r.proxy = field_str(L, "proxy");
    r.post = field_str(L, "post");
    r.headers = header_lines(L);
    rt = lua_gettop(L);                        /* the request table is on top again */
    lua_getfield(L, rt, "timeout");
    r.timeout_ms = lua_isnumber(L, -1) ? (long)(lua_tonumber(L, -1) * 1000) : 0;
    lua_getfield(L, rt, "parse");
    if (lua_toboolean(L, -1)) {                /* the note for parse_body: keep, known hash */
      lua_getfield(L, rt, "keep_body");
      lua_pushstring(L, lua_toboolean(L, -1) ? "k" : "d");
      lua_getfield(L, rt, "known");
      if (!lua_isstring(L, -1)) { lua_pop(L, 1); lua_pushliteral(L, ""); }
      lua_concat(L, 2);
      r.note = lua_tostring(L, -1);
    }
    if (r.url == NULL) return luaL_error(L, "request %d has no url", (int)i);
    if (!orr_fetch_add(b->f, &r)) return luaL_error(L, "out of memory");
    lua_settop(L, top);
  }
  return 1;
}

static int batch_next(lua_State *L) {
  lbatch *b = check_batch(L);
  int oom;
  orr_transfer *t = orr_fetch_next(b->f, &oom);
  if (t == NULL) {
    if (oom) return luaL_error(L, "libcurl multi loop failed");
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, 14);
  lua_pushinteger(L, (lua_Integer)t->index + 1);
  lua_setfield(L, -2, "index");
  orr_set_str(L, "url", t->url);
  orr_set_str(L, "final_url", t->final_url);
  orr_set_str(L, "moved_to", t->moved_to);
  lua_pushinteger(L, t->status);
  lua_setfield(L, -2, "status");
  lua_pushinteger(L, t->redirects);
  lua_setfield(L, -2, "redirects");
  orr_set_str(L, "etag", t->etag);
  orr_set_str(L, "last_modified", t->last_modified);
  orr_set_str(L, "content_type", t->content_type);
  orr_set_str(L, "retry_after", t->retry_after);
  lua_pushnumber(L, t->seconds);
  lua_setfield(L, -2, "seconds");
  lua_pushnumber(L, t->wait);
  lua_setfield(L, -2, "wait");
  if (t->ok && (t->body.data || !t->product)) {
    lua_pushlstring(L, t->body.data ? t->body.data : "", t->body.len);
    lua_setfield(L, -2, "body");
    if (t->wire.len > 0) {                   /* the body exactly, as the server gzipped it */
      lua_pushlstring(L, t->wire.data, t->wire.len);
      lua_setfield(L, -2, "body_gzip");
    }
  }
  if (t->ok) {
    lua_pushinteger(L, (lua_Integer)(t->product ? ((parsed *)t->product)->bytes : t->body.len));
    lua_setfield(L, -2, "bytes");
  } else {
    orr_set_str(L, "err", t->error);
    if (t->held) { lua_pushboolean(L, 1); lua_setfield(L, -2, "held"); }
  }
  if (t->product) {
    parsed *p = t->product;
    b->hash += p->cpu_hash;
    b->xml += p->cpu_xml;
    b->sanitize += p->cpu_sanitize;
    orr_set_str(L, "body_hash", p->hash);
    if (p->unchanged) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "unchanged");
    } else if (p->feed) {
      orr_push_feed(L, p->feed);
      lua_setfield(L, -2, "feed");
    } else {
      orr_set_str(L, "parse_err", p->err);
    }
  }
  orr_transfer_free(t);
  return 1;
}

static int batch_pending(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)orr_fetch_pending(check_batch(L)->f));
  return 1;
}

static int batch_close(lua_State *L) {
  lbatch *b = luaL_checkudata(L, 1, BATCH_MT);
  if (b->f) b->network = orr_fetch_network_cpu(b->f);
  orr_fetch_free(b->f);
  b->f = NULL;
  return 0;
}

/* Batch:stats() -> { network, hash, xml, sanitize }: CPU seconds of the network thread (once
** the batch is done) and of the parsing threads on each stage, for the results handed over. */
static int batch_stats(lua_State *L) {
  lbatch *b = luaL_checkudata(L, 1, BATCH_MT);
  lua_createtable(L, 0, 4);
  lua_pushnumber(L, b->f ? orr_fetch_network_cpu(b->f) : b->network);
  lua_setfield(L, -2, "network");
  lua_pushnumber(L, b->hash);
  lua_setfield(L, -2, "hash");
  lua_pushnumber(L, b->xml);
  lua_setfield(L, -2, "xml");
  lua_pushnumber(L, b->sanitize);
  lua_setfield(L, -2, "sanitize");
  return 1;
}

static const luaL_Reg batch_methods[] = {
  { "next",    batch_next    },
  { "pending", batch_pending },
  { "close",   batch_close   },
  { "stats",   batch_stats   },
  { NULL, NULL }
};

static int f_private(lua_State *L) {
  lua_pushboolean(L, orr_address_private(luaL_checkstring(L, 1)));
  return 1;
}

static const luaL_Reg lib[] = {
  { "start",   f_start   },
  { "private", f_private },
  { NULL, NULL }
};

int luaopen_orrery_fetch(lua_State *L) {
  luaL_newmetatable(L, BATCH_MT);
  luaL_newlib(L, batch_methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, batch_close);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, batch_close);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
