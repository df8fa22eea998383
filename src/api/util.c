/*
** api/util.c — orrery._util: small primitives that want C.
**
**   now() -> seconds (float, wall clock)      clock() -> seconds (monotonic)
**   hash(s) -> 16 hex digits (FNV-1a 64; stable ids, not security)
**   digest(...) -> '#' and 16 hex digits: has anything of these strings changed (fast; not ids)
**   date(s) -> UTC seconds | nil               isatty(fd) -> boolean
**   peak_rss() -> bytes                        version() -> string
**   cpu(["thread"]) -> seconds of CPU, the process's or the calling thread's
**   memory() -> bytes the Lua state uses, allocations refused since the limit was set
**   memory_limit([bytes]) -> set (or with nil clear) the most the Lua state may use
**   strftime(fmt, t, zone) -> string    t formatted in a time zone: "UTC", "local" or a tz
**                                       database name ("Europe/Berlin"); %z and %Z work
**   pid() -> this process's id                sleep(seconds)
**   deflate(s) -> zlib-compressed s           inflate(z, size) -> s | nil, err  (size: s's length)
**   utf8(s) -> s, or s made UTF-8 (stray bytes read as windows-1252, as in feeds; no NUL)
**   escape(s) -> s for HTML and XML text and attribute values (util.escape owns the rule)
**   link_key(link, ignored) -> key | nil   a link as dedupe compares it (shown.link_key owns the rule)
*/
#define _GNU_SOURCE           /* RUSAGE_THREAD */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "api/api.h"
#include "buf.h"
#include "date.h"
#include "html.h"

static int f_now(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + ts.tv_nsec / 1e9);
  return 1;
}

static int f_pid(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)getpid());
  return 1;
}

static int f_sleep(lua_State *L) {
  double s = luaL_checknumber(L, 1);
  struct timespec ts;
  if (s <= 0) return 0;
  ts.tv_sec = (time_t)s;
  ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0) {}      /* (interrupted: the rest of it) */
  return 0;
}

/* Raw documents are kept compressed: zlib level 1 (a farm of 31 MB: 31 % of its size at 163
** MB/s; level 6 made 26 % at 47 MB/s, most of a cold refresh's storing). */
static int f_deflate(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  uLongf out = compressBound((uLong)n);
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, out);
  if (compress2((Bytef *)p, &out, (const Bytef *)s, (uLong)n, 1) != Z_OK) return luaL_error(L, "deflate failed");
  luaL_pushresultsize(&b, out);
  return 1;
}

/* zlib's or gzip's format alike (a kept document is stored as the server gzipped it, or
** as f_deflate made it). */
static int f_inflate(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  lua_Integer size = luaL_checkinteger(L, 2);
  z_stream zs;
  luaL_Buffer b;
  char *p;
  int rc;
  if (size < 0 || size > (lua_Integer)1 << 31) return orr_fail(L, "inflate: size %d out of range", (int)size);
  p = luaL_buffinitsize(L, &b, (size_t)size + 1);   /* (+1: a longer stream shows) */
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return luaL_error(L, "inflate: out of memory");
  zs.next_in = (Bytef *)z;
  zs.avail_in = (uInt)n;
  zs.next_out = (Bytef *)p;
  zs.avail_out = (uInt)size + 1;
  rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || (lua_Integer)zs.total_out != size)
    return orr_fail(L, "inflate: %s", rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK ? "size differs"
                                      : zs.msg ? zs.msg : zError(rc));
  luaL_pushresultsize(&b, (size_t)size);
  return 1;
}

static int f_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + ts.tv_nsec / 1e9);
  return 1;
}

/* escape(s): '&', '<', '>', '"' and "'" as character references, and the control
** characters XML does not allow at all (C0 but tab, newline, carriage return) dropped;
** s itself when it has none of them (most values: no copy).  Templates call it for every
** value they write, so a table lookup a byte, and no Lua pattern. */
static int f_escape(lua_State *L) {
  static const char *const rep[] = { NULL, "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "" };
  static const unsigned char what[256] = {
    [0] = 6, [1] = 6, [2] = 6, [3] = 6, [4] = 6, [5] = 6, [6] = 6, [7] = 6, [8] = 6, [11] = 6, [12] = 6,
    [14] = 6, [15] = 6, [16] = 6, [17] = 6, [18] = 6, [19] = 6, [20] = 6, [21] = 6, [22] = 6, [23] = 6,
    [24] = 6, [25] = 6, [26] = 6, [27] = 6, [28] = 6, [29] = 6, [30] = 6, [31] = 6,
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
  };
  size_t n, i = 0, start = 0;
  const char *s = luaL_checklstring(L, 1, &n);
  const unsigned char *u = (const unsigned char *)s;
  luaL_Buffer b;
  while (i < n && !what[u[i]]) i++;
  if (i == n) { lua_settop(L, 1); return 1; }
  luaL_buffinit(L, &b);
  for (; i < n; i++) {
    if (!what[u[i]]) continue;
    luaL_addlstring(&b, s + start, i - start);
    luaL_addstring(&b, rep[what[u[i]]]);
    start = i + 1;
  }
  luaL_addlstring(&b, s + start, n - start);
  luaL_pushresult(&b);
  return 1;
}

/* A query parameter of a link: where it starts and how long it is. */
typedef struct param { const char *s; size_t n; } param;

/* Byte order, as Lua's < has strings in the C locale (table.sort). */
static int param_cmp(const void *a, const void *b) {
  const param *x = a, *y = b;
  int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
  return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int ends_with(const char *s, size_t n, const char *tail) {
  size_t t = strlen(tail);
  return n >= t && memcmp(s + n - t, tail, t) == 0;
}

/* link_key(link, ignored) -> key | nil: a link as dedupe compares it, by the rule that
** shown.link_key states (and owns: ignored is its set of query parameter names, lower case,
** that do not count; "utm_" ones never do).  In C because it runs for every entry stored,
** where the Lua took 4 µs; the keys are stored, so they must stay what the Lua made
** (lua_modules_spec checks that against the Lua rule). */
static int f_link_key(lua_State *L) {
  size_t len, i = 1, hn, pn, qn, np = 0, k;
  const char *s, *end, *rest, *cut, *h, *p, *q = NULL;
  param pbuf[32], *ps = NULL;
  luaL_Buffer b;
  char hbuf[256], kbuf[128], *host;            /* (userdata when longer) */
  if (lua_type(L, 1) != LUA_TSTRING) return 0;
  luaL_checktype(L, 2, LUA_TTABLE);
  s = lua_tolstring(L, 1, &len);
  end = s + len;
  /* ^(%a[%w+.-]*):// with the scheme http or https */
  if (len == 0 || !isalpha((unsigned char)s[0])) return 0;
  while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-')) i++;
  if (len - i < 3 || memcmp(s + i, "://", 3) != 0) return 0;
  if (!((i == 4 && strncasecmp(s, "http", 4) == 0) || (i == 5 && strncasecmp(s, "https", 5) == 0))) return 0;
  rest = s + i + 3;
  if ((cut = memchr(rest, '#', (size_t)(end - rest))) != NULL) end = cut;     /* no fragment */
  for (cut = rest; cut < end && *cut != '/' && *cut != '?'; cut++) {}
  /* the host: lower case, no user:password@, no default port, no "www.", no final dot */
  hn = (size_t)(cut - rest);
  host = hn < sizeof hbuf ? hbuf : lua_newuserdatauv(L, hn + 1, 0);
  for (k = 0; k < hn; k++) host[k] = (char)tolower((unsigned char)rest[k]);
  h = host;
  for (k = hn; k > 0; k--) if (host[k - 1] == '@') { h = host + k; hn -= k; break; }
  if (memchr(h, ':', hn)) {
    if (ends_with(h, hn, ":80")) hn -= 3;
    if (ends_with(h, hn, ":443")) hn -= 4;
  }
  if (hn >= 4 && memcmp(h, "www.", 4) == 0) { h += 4; hn -= 4; }
  if (hn > 0 && h[hn - 1] == '.') hn--;
  if (hn == 0) return 0;
  /* the path: no index.html, no trailing '/'s */
  p = cut;
  for (pn = 0; p + pn < end && p[pn] != '?'; pn++) {}
  if (p + pn < end) { q = p + pn + 1; qn = (size_t)(end - q); }
  if (ends_with(p, pn, "/index.html")) pn -= 11;
  else if (ends_with(p, pn, "/index.htm")) pn -= 10;
  while (pn > 0 && p[pn - 1] == '/') pn--;
  /* the parameters that count (before the buffer: it must have the stack's top) */
  if (q != NULL && qn > 0) {
    char *key = qn < sizeof kbuf ? kbuf : lua_newuserdatauv(L, qn + 1, 0);
    size_t most = qn / 2 + 1;                   /* parameters there can be */
    ps = most <= sizeof pbuf / sizeof *pbuf ? pbuf : lua_newuserdatauv(L, most * sizeof *ps, 0);
    for (i = 0; i < qn;) {
      size_t start = i, kn = 0;
      int ignored;
      while (i < qn && q[i] != '&' && q[i] != ';') i++;
      if (i == start) { i++; continue; }
      while (start + kn < i && q[start + kn] != '=') kn++;
      for (k = 0; k < kn; k++) key[k] = (char)tolower((unsigned char)q[start + k]);
      ignored = kn >= 4 && memcmp(key, "utm_", 4) == 0;
      if (!ignored) {
        lua_pushlstring(L, key, kn);
        ignored = lua_rawget(L, 2) != LUA_TNIL && lua_toboolean(L, -1);
        lua_pop(L, 1);
      }
      if (!ignored) { ps[np].s = q + start; ps[np].n = i - start; np++; }
    }
  }
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, h, hn);
  luaL_addlstring(&b, p, pn);
  if (np > 1) qsort(ps, np, sizeof *ps, param_cmp);
  for (k = 0; k < np; k++) {
    luaL_addchar(&b, k == 0 ? '?' : '&');
    luaL_addlstring(&b, ps[k].s, ps[k].n);
  }
  luaL_pushresult(&b);
  return 1;
}

static int f_hash(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  char out[17];
  orr_hash_hex(s, len, out);
  lua_pushstring(L, out);
  return 1;
}

/* digest(...): orr_digest over the arguments in turn (strings or numbers; nil as "") */
static int f_digest(lua_State *L) {
  int i, n = lua_gettop(L);
  unsigned long long h = 0;
  char out[18];
  for (i = 1; i <= n; i++) {
    size_t len = 0;
    const char *s = lua_isnil(L, i) ? "" : luaL_checklstring(L, i, &len);
    h = orr_digest(h, s, len);
  }
  orr_digest_hex(h, out);
  lua_pushstring(L, out);
  return 1;
}

static int f_date(lua_State *L) {
  int64_t t;
  if (lua_isnoneornil(L, 1)) return 0;
  if (!orr_date_parse(luaL_checkstring(L, 1), &t)) { luaL_pushfail(L); return 1; }
  lua_pushinteger(L, (lua_Integer)t);
  return 1;
}

static int f_isatty(lua_State *L) {
  lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
  return 1;
}

static int f_peak_rss(lua_State *L) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  lua_pushinteger(L, (lua_Integer)ru.ru_maxrss * 1024);
  return 1;
}

static int f_cpu(lua_State *L) {
  /* "thread": the calling thread only (the process has parsing threads beside it).  The
  ** CPU-time clocks count in nanoseconds; getrusage's times move in scheduler ticks (4 ms),
  ** too coarse to time one page */
  struct timespec ts;
  clockid_t id = strcmp(luaL_optstring(L, 1, "process"), "thread") == 0 ? CLOCK_THREAD_CPUTIME_ID
                                                                        : CLOCK_PROCESS_CPUTIME_ID;
  if (clock_gettime(id, &ts) != 0) return luaL_error(L, "no CPU clock");
  lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
  return 1;
}

/* sanitize_cpu() -> seconds the calling thread has spent sanitizing HTML (the steady
** clock inside the sanitizer's calls: its CPU time unless the thread was made to wait) */
static int f_sanitize_cpu(lua_State *L) {
  lua_pushnumber(L, orr_html_sanitize_time());
  return 1;
}

static orr_mem *state_mem(lua_State *L) {
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  if (f != orr_mem_alloc) luaL_error(L, "this Lua state does not count its memory");
  return ud;
}

static int f_memory(lua_State *L) {
  orr_mem *m = state_mem(L);
  lua_pushinteger(L, (lua_Integer)m->used);
  lua_pushinteger(L, (lua_Integer)m->refused);
  return 2;
}

static int f_memory_limit(lua_State *L) {
  orr_mem *m = state_mem(L);
  lua_Integer n = luaL_optinteger(L, 1, 0);
  m->limit = n > 0 ? (size_t)n : 0;
  m->refused = 0;
  return 0;
}

static int f_version(lua_State *L) {
  lua_pushstring(L, ORR_VERSION);
  return 1;
}

/* The C library knows one time zone at a time, TZ; a page is rendered in the planet's zone,
** so TZ is switched for the call and put back.  Rendering runs on the main thread with no
** fetch threads alive (they end with the refresh), so nothing else reads TZ meanwhile.
** Lua's os.date cannot do this: it has only UTC and the process's zone. */
static int f_strftime(lua_State *L) {
  const char *fmt = luaL_checkstring(L, 1);
  time_t t = (time_t)luaL_checkinteger(L, 2);
  const char *zone = luaL_optstring(L, 3, "UTC");
  char out[512], *saved = NULL;
  const char *old;
  struct tm tm;
  size_t n;
  int is_utc = strcmp(zone, "UTC") == 0, is_local = strcmp(zone, "local") == 0;
  if (!is_utc && !is_local) {
    old = getenv("TZ");
    if (old && (saved = strdup(old)) == NULL) return luaL_error(L, "out of memory");
    setenv("TZ", zone, 1);
    tzset();
  }
  if (is_utc) {
    gmtime_r(&t, &tm);
#ifdef __GLIBC__
    tm.tm_zone = "UTC";                   /* glibc names it GMT */
#endif
  } else {
    localtime_r(&t, &tm);
  }
  n = strftime(out, sizeof out, fmt, &tm);
  if (!is_utc && !is_local) {
    if (saved) setenv("TZ", saved, 1);
    else unsetenv("TZ");
    tzset();
    free(saved);
  }
  if (n == 0 && fmt[0] != '\0') return luaL_error(L, "strftime: format too long or empty result: %s", fmt);
  lua_pushlstring(L, out, n);
  return 1;
}

static int f_utf8(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  int bad;
  char *fixed;
  if (orr_utf8_valid(s, n) && memchr(s, '\0', n) == NULL) { lua_settop(L, 1); return 1; }
  fixed = orr_utf8_from_mixed(s, strlen(s), &bad);     /* (to the first NUL: orrery's strings have none) */
  if (fixed == NULL && !orr_utf8_valid(s, strlen(s))) return luaL_error(L, "out of memory");
  lua_pushstring(L, fixed ? fixed : s);
  free(fixed);
  return 1;
}

static const luaL_Reg lib[] = {
  { "utf8",     f_utf8     },
  { "strftime", f_strftime },
  { "now",      f_now      },
  { "pid",      f_pid      },
  { "deflate",  f_deflate  },
  { "inflate",  f_inflate  },
  { "sleep",    f_sleep    },
  { "clock",    f_clock    },
  { "hash",     f_hash     },
  { "link_key", f_link_key },
  { "escape",   f_escape   },
  { "digest",   f_digest   },
  { "date",     f_date     },
  { "isatty",   f_isatty   },
  { "peak_rss", f_peak_rss },
  { "cpu",      f_cpu      },
  { "sanitize_cpu", f_sanitize_cpu },
  { "version",  f_version  },
  { "memory",   f_memory   },
  { "memory_limit", f_memory_limit },
  { NULL, NULL }
};

int luaopen_orrery_util(lua_State *L) {
  luaL_newlib(L, lib);
  return 1;
}
