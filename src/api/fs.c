/*
** api/fs.c — orrery._fs: the file operations Lua needs and the stock io library lacks.
**
**   read(path) -> data | nil, err          write(path, data) -> true | nil, err  (atomic)
**   same(path, data) -> boolean            the file holds exactly data (compared in chunks)
**   mkdirs(path) -> true | nil, err        list(dir) -> { name } | nil, err
**   stat(path) -> {type=, size=, mtime=} | nil, err          remove(path)
**   realpath(path) -> absolute path | nil, err
**   lock(path [, note]) -> Lock | nil, holder   an exclusive flock(2) on path (created), held
**                                               until Lock:unlock(), __close or __gc
**
** write() goes through a temporary file in the same directory, fsync and rename, so a
** reader (a web server) sees the old file or the new one, never half of one.
**
** lock() never waits: when another process holds the lock it returns nil and what the
** holder wrote into the file (its note: who, since when).  The kernel drops an flock when
** its process ends, however it ends (kill -9 too), so no stale lock is ever left behind.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"

static int fail_errno(lua_State *L, const char *path) {
  return orr_fail(L, "%s: %s", path, strerror(errno));
}

static int f_read(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_Buffer b;
  struct stat st;
  size_t n;
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) return fail_errno(L, path);
  if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    /* a file of known size is read into one buffer of that size: growing one by doubling
    ** held three copies of a large page at its peak */
    size_t size = (size_t)st.st_size, got = 0;
    char *p = luaL_buffinitsize(L, &b, size);
    while (got < size && (n = fread(p + got, 1, size - got, fp)) > 0) got += n;
    luaL_addsize(&b, got);
    if (got == size) {                            /* (a file that grew meanwhile: the rest too) */
      char chunk[4096];
      while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) luaL_addlstring(&b, chunk, n);
    }
  } else {
    char chunk[65536];
    luaL_buffinit(L, &b);
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) luaL_addlstring(&b, chunk, n);
  }
  if (ferror(fp)) { int e = errno; fclose(fp); errno = e; return fail_errno(L, path); }
  fclose(fp);
  luaL_pushresult(&b);
  return 1;
}

/* same(path, data) -> boolean: whether the file at path holds exactly data, compared a
** chunk at a time (a rendered page is checked against the one on disk without a second
** copy of it in memory); false when it is missing or cannot be read. */
static int f_same(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t len, off = 0, n;
  const char *data = luaL_checklstring(L, 2, &len);
  char chunk[65536];
  struct stat st;
  int same = 0;
  FILE *fp = fopen(path, "rb");
  if (fp != NULL) {
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len) {
      same = 1;
      while (same && (n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        same = off + n <= len && memcmp(chunk, data + off, n) == 0;
        off += n;
      }
      if (ferror(fp) || off != len) same = 0;
    }
    fclose(fp);
  }
  lua_pushboolean(L, same);
  return 1;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return 0; }
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

static int f_write(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  const char *tmp = lua_pushfstring(L, "%s.tmp-%d", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), e;
  if (fd < 0) return fail_errno(L, tmp);
  if (!write_all(fd, data, len) || fsync(fd) != 0) {
    e = errno; close(fd); unlink(tmp); errno = e;
    return fail_errno(L, path);
  }
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    e = errno; unlink(tmp); errno = e;
    return fail_errno(L, path);
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int f_mkdirs(lua_State *L) {
  size_t len, i;
  const char *path = luaL_checklstring(L, 1, &len);
  char *p = malloc(len + 1);
  if (p == NULL) return luaL_error(L, "out of memory");
  memcpy(p, path, len + 1);
  for (i = 1; i <= len; i++) {
    if (p[i] == '/' || p[i] == '\0') {
      char c = p[i];
      p[i] = '\0';
      if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        int e = errno;
        lua_pushstring(L, p);
        free(p);
        errno = e;
        return fail_errno(L, lua_tostring(L, -1));
      }
      p[i] = c;
    }
  }
  free(p);
  lua_pushboolean(L, 1);
  return 1;
}

static int f_list(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  DIR *d = opendir(path);
  struct dirent *de;
  int i = 0;
  if (d == NULL) return fail_errno(L, path);
  lua_newtable(L);
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    lua_pushstring(L, de->d_name);
    lua_rawseti(L, -2, ++i);
  }
  closedir(d);
  return 1;
}

static int f_stat(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  struct stat st;
  if (stat(path, &st) != 0) return fail_errno(L, path);
  lua_createtable(L, 0, 3);
  lua_pushstring(L, S_ISDIR(st.st_mode) ? "directory" : S_ISREG(st.st_mode) ? "file" : "other");
  lua_setfield(L, -2, "type");
  lua_pushinteger(L, (lua_Integer)st.st_size);
  lua_setfield(L, -2, "size");
  lua_pushinteger(L, (lua_Integer)st.st_mtime);
  lua_setfield(L, -2, "mtime");
  return 1;
}

static int f_remove(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  if (unlink(path) != 0) return fail_errno(L, path);
  lua_pushboolean(L, 1);
  return 1;
}

static int f_realpath(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char *r = realpath(path, NULL);
  if (r == NULL) return fail_errno(L, path);
  lua_pushstring(L, r);
  free(r);
  return 1;
}


#define LOCK_MT "orrery.fs.Lock"
typedef struct llock { int fd; } llock;

static int lock_release(lua_State *L) {
  llock *k = luaL_checkudata(L, 1, LOCK_MT);
  if (k->fd >= 0) {
    if (ftruncate(k->fd, 0) != 0) { /* the note goes with the lock; nothing to do if it stays */ }
    flock(k->fd, LOCK_UN);
    close(k->fd);
    k->fd = -1;
  }
  return 0;
}

static int f_lock(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t nlen;
  const char *note = luaL_optlstring(L, 2, "", &nlen);
  llock *k = lua_newuserdatauv(L, sizeof *k, 0);   /* created unlocked, then locked */
  k->fd = -1;
  luaL_setmetatable(L, LOCK_MT);
  k->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (k->fd < 0) return fail_errno(L, path);
  if (flock(k->fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[512];
    ssize_t n;
    int e = errno;
    if (e != EWOULDBLOCK) { close(k->fd); k->fd = -1; errno = e; return fail_errno(L, path); }
    n = pread(k->fd, holder, sizeof holder - 1, 0);
    close(k->fd);
    k->fd = -1;
    holder[n > 0 ? n : 0] = '\0';
    luaL_pushfail(L);
    lua_pushstring(L, holder);
    return 2;
  }
  if (ftruncate(k->fd, 0) != 0 || pwrite(k->fd, note, nlen, 0) != (ssize_t)nlen) {
    /* the lock is held all the same: only the note for others is missing */
  }
  return 1;
}

static const luaL_Reg lock_methods[] = {
  { "unlock", lock_release },
  { NULL, NULL }
};

static const luaL_Reg lib[] = {
  { "lock",   f_lock   },
  { "realpath", f_realpath },
  { "read",   f_read   },
  { "same",   f_same   },
  { "write",  f_write  },
  { "mkdirs", f_mkdirs },
  { "list",   f_list   },
  { "stat",   f_stat   },
  { "remove", f_remove },
  { NULL, NULL }
};

int luaopen_orrery_fs(lua_State *L) {
  luaL_newmetatable(L, LOCK_MT);
  luaL_newlib(L, lock_methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, lock_release);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, lock_release);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
