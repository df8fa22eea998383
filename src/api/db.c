/*
** api/db.c — orrery._db: SQLite for Lua.
**
**   open(path) -> Db | nil, err       (WAL, busy timeout, foreign keys on)
**   Db:exec(sql)                      run a script of statements, no parameters
**   Db:run(sql, ...) -> changes | nil, err        one statement with ? parameters
**   Db:rows(sql, ...) -> iterator of row tables (column name -> value)
**   Db:one(sql, ...) -> first row table | nil
**   Db:last_id()  Db:close()          (also __gc and __close)
**   Db:backup(path) -> true | nil, err  a consistent copy of the whole database into path
**                                       (SQLite's online backup: readers and a writer go on)
**
** Every connection has the SQL function html_text(html) (markup removed, for the full-text
** index).  Prepared statements are cached per connection by SQL text, so the same statement in a
** loop is compiled once.  SQL that does not compile is a programmer error and raises; a
** statement that fails when run (busy, constraint, disk full) returns nil, err.
**
** For the crash-safety tests, ORRERY_FAULT_WRITES puts a VFS between SQLite and the disk
** that kills the process inside the write path (see "Fault injection" below).
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "api/api.h"
#include "buf.h"
#include "html.h"

#define DB_MT "orrery.db.Db"
#define CACHE 48

typedef struct stmt_slot { char *sql; sqlite3_stmt *stmt; } stmt_slot;

typedef struct ldb {
  sqlite3 *db;
  stmt_slot cache[CACHE];
  int ncache;
} ldb;

/* SQL function html_text(html): the text of stored (sanitized) HTML, for the full-text
** index.  A linear scan, not a parse: it runs on every entry written. */
static void sql_html_text(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *s;
  char *t;
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) { sqlite3_result_null(ctx); return; }
  s = (const char *)sqlite3_value_text(argv[0]);
  t = orr_html_text_sanitized(s ? s : "", (size_t)sqlite3_value_bytes(argv[0]));
  if (t == NULL) { sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, t, -1, free);
}

/* SQL function xml_chars(x): x without the characters XML does not allow (C0 controls but
** tab, newline and carriage return; U+FFFE, U+FFFF), x itself when it has none and for what
** is not text.  For store.lua's schema 10, over every stored entry: one fast scan a value,
** where a GLOB with a character class took 43 s on a 10,000-feed planet's 1.4 GB. */
static void sql_xml_chars(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *s;
  char *t;
  size_t n;
  (void)argc;
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) { sqlite3_result_value(ctx, argv[0]); return; }
  s = (const char *)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if (s == NULL) { sqlite3_result_error_nomem(ctx); return; }
  if (orr_utf8_xml_chars(s, n, 1)) { sqlite3_result_value(ctx, argv[0]); return; }
  if ((t = malloc(n + 1)) == NULL) { sqlite3_result_error_nomem(ctx); return; }
  memcpy(t, s, n + 1);
  n = orr_xml_chars_strip(t, n);
  sqlite3_result_text(ctx, t, (int)n, free);
}

/* {====== Fault injection: a crash inside the write path ======
**
** ORRERY_FAULT_WRITES=N makes the process kill itself (SIGKILL, as the OOM killer or a
** power cut would end it) just before the N-th write, sync or truncate that SQLite asks of
** any of its files (database, WAL, journal): the crash lands inside the write path on any
** machine, however fast, as SQLite's own crash tests do from a VFS.  ORRERY_FAULT_WRITES=count
** prints how many such calls a run made (at exit, on stderr), so a test can pick N in range.
** Unset, nothing is registered and SQLite's default VFS is used untouched.  One thread
** (the caller's) uses SQLite in orrery, so the counter needs no lock. */
typedef struct fault_file { sqlite3_file base; sqlite3_file *real; } fault_file;

static sqlite3_vfs fault_vfs, *real_vfs;
static long fault_at, fault_count;

static void fault_tick(void) {
  if (++fault_count == fault_at) raise(SIGKILL);
}

static void fault_report(void) {
  fprintf(stderr, "orrery: fault injection: %ld writes\n", fault_count);
}

#define REAL(f) (((fault_file *)(f))->real)
static int ff_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int ff_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) {
  return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int ff_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o) {
  fault_tick();
  return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size) {
  fault_tick();
  return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags) {
  fault_tick();
  return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int ff_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int ff_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int ff_check(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int ff_control(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int ff_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int ff_caps(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int ff_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **p) {
  return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p);
}
static int ff_shm_lock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void ff_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int ff_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int ff_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL(f)->pMethods->xFetch(REAL(f), o, n, p); }
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static const sqlite3_io_methods fault_io = {
  3, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_size, ff_lock, ff_unlock, ff_check,
  ff_control, ff_sector, ff_caps, ff_shm_map, ff_shm_lock, ff_shm_barrier, ff_shm_unmap,
  ff_fetch, ff_unfetch
};

static int fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out) {
  fault_file *ff = (fault_file *)f;
  int rc;
  (void)vfs;
  ff->real = (sqlite3_file *)(ff + 1);
  rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
  /* unix files speak version 3 of the methods; only they are opened here */
  f->pMethods = ff->real->pMethods ? &fault_io : NULL;
  return rc;
}

/* Put the fault VFS in front of the default one when the environment asks for it. */
static void fault_setup(void) {
  static int done;
  const char *v = getenv("ORRERY_FAULT_WRITES");
  if (done || v == NULL || *v == '\0') return;
  done = 1;
  real_vfs = sqlite3_vfs_find(NULL);
  if (real_vfs == NULL) return;
  fault_vfs = *real_vfs;
  fault_vfs.zName = "orrery-fault";
  fault_vfs.szOsFile = (int)sizeof(fault_file) + real_vfs->szOsFile;
  fault_vfs.xOpen = fault_open;
  if (strcmp(v, "count") == 0) atexit(fault_report);
  else fault_at = strtol(v, NULL, 10);
  sqlite3_vfs_register(&fault_vfs, 1);
}
/* }====== */

static ldb *check_db(lua_State *L, int idx) {
  ldb *d = luaL_checkudata(L, idx, DB_MT);
  if (d->db == NULL) luaL_error(L, "attempt to use a closed db");
  return d;
}

static void uncache_all(ldb *d) {
  int i;
  for (i = 0; i < d->ncache; i++) { sqlite3_finalize(d->cache[i].stmt); free(d->cache[i].sql); }
  d->ncache = 0;
}

static int db_close(lua_State *L) {
  ldb *d = luaL_checkudata(L, 1, DB_MT);
  if (d->db) {
    uncache_all(d);
    sqlite3_close_v2(d->db);
    d->db = NULL;
  }
  return 0;
}

static int f_open(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  ldb *d = lua_newuserdatauv(L, sizeof *d, 0);     /* created closed, then opened */
  int rc;
  memset(d, 0, sizeof *d);
  luaL_setmetatable(L, DB_MT);
  rc = sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK) {
    const char *msg = d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc);
    lua_pushfstring(L, "%s: %s", path, msg);
    sqlite3_close_v2(d->db);
    d->db = NULL;
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  sqlite3_busy_timeout(d->db, 5000);
  sqlite3_create_function_v2(d->db, "html_text", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                             sql_html_text, NULL, NULL, NULL);
  sqlite3_create_function_v2(d->db, "xml_chars", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                             sql_xml_chars, NULL, NULL, NULL);
  sqlite3_extended_result_codes(d->db, 1);
  return 1;
}

/* A statement for sql, from the cache or freshly prepared (and cached). */
static sqlite3_stmt *prepare(lua_State *L, ldb *d, const char *sql, int *cached_out) {
  sqlite3_stmt *st;
  int i;
  for (i = 0; i < d->ncache; i++)
    if (strcmp(d->cache[i].sql, sql) == 0) {
      st = d->cache[i].stmt;
      if (sqlite3_stmt_busy(st)) break;          /* in use by an iterator: make another */
      *cached_out = 1;
      return st;
    }
  if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
    luaL_error(L, "sql error: %s in: %s", sqlite3_errmsg(d->db), sql);
  if (st == NULL) luaL_error(L, "sql error: empty statement");
  *cached_out = 0;
  if (i == d->ncache && d->ncache < CACHE) {
    char *copy = strdup(sql);
    if (copy) {
      d->cache[d->ncache].sql = copy;
      d->cache[d->ncache].stmt = st;
      d->ncache++;
      *cached_out = 1;
    }
  }
  return st;
}

static void release(sqlite3_stmt *st, int cached) {
  if (cached) { sqlite3_reset(st); sqlite3_clear_bindings(st); }
  else sqlite3_finalize(st);
}

/* Bind the Lua values from stack index `first` on.  With `held`, the strings are bound
** without a copy: the caller keeps them on its stack until the statement is reset (run,
** one: an entry's content is not copied once more on its way into the page). */
static void bind_args(lua_State *L, ldb *d, sqlite3_stmt *st, int first, int cached, int held) {
  int top = lua_gettop(L), i, n = sqlite3_bind_parameter_count(st), rc = SQLITE_OK;
  if (top - first + 1 > n) {
    release(st, cached);
    luaL_error(L, "sql: %d values for %d parameters", top - first + 1, n);
  }
  for (i = first; i <= top && rc == SQLITE_OK; i++) {
    int p = i - first + 1;
    switch (lua_type(L, i)) {
      case LUA_TNIL: rc = sqlite3_bind_null(st, p); break;
      case LUA_TBOOLEAN: rc = sqlite3_bind_int(st, p, lua_toboolean(L, i)); break;
      case LUA_TNUMBER:
        if (lua_isinteger(L, i)) rc = sqlite3_bind_int64(st, p, lua_tointeger(L, i));
        else rc = sqlite3_bind_double(st, p, lua_tonumber(L, i));
        break;
      case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, i, &len);
        rc = sqlite3_bind_text(st, p, s, (int)len, held ? SQLITE_STATIC : SQLITE_TRANSIENT);
        break;
      }
      default:
        release(st, cached);
        luaL_error(L, "sql: cannot bind a %s (parameter %d)", luaL_typename(L, i), p);
    }
  }
  if (rc != SQLITE_OK) {
    release(st, cached);
    luaL_error(L, "sql bind: %s", sqlite3_errmsg(d->db));
  }
}

static void push_row(lua_State *L, sqlite3_stmt *st) {
  int i, n = sqlite3_column_count(st);
  lua_createtable(L, 0, n);
  for (i = 0; i < n; i++) {
    switch (sqlite3_column_type(st, i)) {
      case SQLITE_INTEGER: lua_pushinteger(L, sqlite3_column_int64(st, i)); break;
      case SQLITE_FLOAT: lua_pushnumber(L, sqlite3_column_double(st, i)); break;
      case SQLITE_NULL: continue;
      case SQLITE_BLOB:
        lua_pushlstring(L, (const char *)sqlite3_column_blob(st, i), (size_t)sqlite3_column_bytes(st, i));
        break;
      default:
        lua_pushlstring(L, (const char *)sqlite3_column_text(st, i),
                        (size_t)sqlite3_column_bytes(st, i));
    }
    lua_setfield(L, -2, sqlite3_column_name(st, i));
  }
}

static int db_exec(lua_State *L) {
  ldb *d = check_db(L, 1);
  char *err = NULL;
  if (sqlite3_exec(d->db, luaL_checkstring(L, 2), NULL, NULL, &err) != SQLITE_OK) {
    lua_pushfstring(L, "%s", err ? err : sqlite3_errmsg(d->db));
    sqlite3_free(err);
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int db_run(lua_State *L) {
  ldb *d = check_db(L, 1);
  int cached, rc;
  sqlite3_stmt *st = prepare(L, d, luaL_checkstring(L, 2), &cached);
  bind_args(L, d, st, 3, cached, 1);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
  release(st, cached);
  if (rc != SQLITE_DONE) return orr_fail(L, "%s", sqlite3_errmsg(d->db));
  lua_pushinteger(L, sqlite3_changes(d->db));
  return 1;
}

static int db_one(lua_State *L) {
  ldb *d = check_db(L, 1);
  int cached, rc;
  sqlite3_stmt *st = prepare(L, d, luaL_checkstring(L, 2), &cached);
  bind_args(L, d, st, 3, cached, 1);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) push_row(L, st);
  else lua_pushnil(L);
  release(st, cached);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return orr_fail(L, "%s", sqlite3_errmsg(d->db));
  return 1;
}

/* rows(): the iterator owns its own statement (never the cached one), finalized at the end
** or by __gc/__close of the iterator's state if the loop breaks early. */
#define ITER_MT "orrery.db.Rows"
typedef struct liter { sqlite3_stmt *st; } liter;

static int iter_gc(lua_State *L) {
  liter *it = luaL_checkudata(L, 1, ITER_MT);
  if (it->st) { sqlite3_finalize(it->st); it->st = NULL; }
  return 0;
}

static int iter_step(lua_State *L) {
  liter *it = luaL_checkudata(L, lua_upvalueindex(1), ITER_MT);
  int rc;
  if (it->st == NULL) return 0;
  rc = sqlite3_step(it->st);
  if (rc == SQLITE_ROW) { push_row(L, it->st); return 1; }
  {
    sqlite3 *db = sqlite3_db_handle(it->st);
    sqlite3_finalize(it->st);
    it->st = NULL;
    if (rc != SQLITE_DONE) return luaL_error(L, "sql: %s", sqlite3_errmsg(db));
  }
  return 0;
}

static int db_rows(lua_State *L) {
  ldb *d = check_db(L, 1);
  const char *sql = luaL_checkstring(L, 2);
  liter *it;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
    return luaL_error(L, "sql error: %s in: %s", sqlite3_errmsg(d->db), sql);
  if (st == NULL) return luaL_error(L, "sql error: empty statement");
  bind_args(L, d, st, 3, 0, 0);
  it = lua_newuserdatauv(L, sizeof *it, 0);
  it->st = st;
  luaL_setmetatable(L, ITER_MT);
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, iter_step, 1);          /* [it, step] */
  lua_insert(L, -2);                          /* [step, it] */
  lua_pushnil(L);                             /* [step, it(state), nil(control)] */
  lua_pushvalue(L, -2);                       /* 4th value: to-be-closed */
  return 4;
}

static int db_last_id(lua_State *L) {
  lua_pushinteger(L, sqlite3_last_insert_rowid(check_db(L, 1)->db));
  return 1;
}

/* Copy the database into path a few hundred pages at a time, so a writer elsewhere is
** never held up for long; a write that lands meanwhile restarts the copy (SQLite's rule),
** so what comes out is one consistent state. */
static int db_backup(lua_State *L) {
  ldb *d = check_db(L, 1);
  const char *path = luaL_checkstring(L, 2);
  sqlite3 *to = NULL;
  sqlite3_backup *b;
  int rc = sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK) {
    b = sqlite3_backup_init(to, "main", d->db, "main");
    if (b == NULL) {
      rc = sqlite3_errcode(to);
    } else {
      while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep(rc == SQLITE_OK ? 0 : 20);
      rc = sqlite3_backup_finish(b);
    }
  }
  if (rc != SQLITE_OK) {
    lua_pushfstring(L, "%s: %s", path, to ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
    sqlite3_close_v2(to);
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  sqlite3_close_v2(to);
  lua_pushboolean(L, 1);
  return 1;
}

static int db_tostring(lua_State *L) {
  ldb *d = luaL_checkudata(L, 1, DB_MT);
  lua_pushfstring(L, "db<%s>", d->db ? sqlite3_db_filename(d->db, "main") : "closed");
  return 1;
}

static const luaL_Reg db_methods[] = {
  { "exec",    db_exec    },
  { "run",     db_run     },
  { "one",     db_one     },
  { "rows",    db_rows    },
  { "last_id", db_last_id },
  { "backup",  db_backup  },
  { "close",   db_close   },
  { NULL, NULL }
};

static const luaL_Reg lib[] = {
  { "open", f_open },
  { NULL, NULL }
};

/* Before SQLite starts (sqlite3_config works only then).  A statement journal (what lets
** one statement, or one feed's savepoint inside the refresh's long transaction, be undone
** alone: foreign keys are on) stays in memory, never spilled to a temporary file:
** - spilled, once past 64 KiB (SQLite's default), it stayed a file for the rest of the
**   transaction and doubled a cold refresh's writes (135,000 -> 278,000 pwrite calls at
**   1,000 feeds);
** - a larger threshold is no way out: SQLite copies the memory journal to the file in chunks
**   of the threshold's size and cuts each write to 17 bits, so from 128 KiB up a spill wrote
**   nothing and failed "database or disk is full" (SQLite 3.40): a feed rewriting over the
**   threshold in pages ended the refresh (faults_spec: a feed of long posts).
** In memory it holds the pages that one savepoint or statement rewrote, and is emptied when
** it ends: for a feed, bounded by what one body (max_bytes) can make. */
static void configure(void) {
  static int done;
  if (done) return;
  done = 1;
  sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);   /* (fails harmlessly if too late) */
}

int luaopen_orrery_db(lua_State *L) {
  configure();
  fault_setup();
  luaL_newmetatable(L, DB_MT);
  luaL_newlib(L, db_methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, db_close);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, db_close);
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, db_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  luaL_newmetatable(L, ITER_MT);
  lua_pushcfunction(L, iter_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, iter_gc);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
