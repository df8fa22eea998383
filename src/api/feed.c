/*
** api/feed.c — orrery._feed: parse(bytes [, opts]) -> feed | nil, err
**                            url(ref [, base [, 'mail']]) -> url | nil, why
**                            author(text) -> name, email   (either may be nil)
**
** opts: url (base for relative links), encoding (charset from HTTP), sanitize (default true),
** title_html (titles as feedparser gives them: sanitized HTML when they are HTML; default
** false, titles are plain text), plain (no text set aside before libxml2, xmlinput.h: for
** the checks that compare the two readings; default false).
** The feed table: format, bozo, bozo_message, the string fields of orr_feed_field_names,
** updated (UTC seconds) and entries = { { id, title, link, author, author_email,
** author_uri, author_text, summary, content, content_type, published, updated,
** published_text, updated_text, comments, notes, enclosures = { {href, type, length} },
** tags = { term } } }.  `author` is the name to show, `author_text` the author as the
** document wrote it; `notes` says what the model's rules dropped (entry.h).
** url() is the model's URL policy (url.h, orr_url_field) for a value a recipe gives; 'mail'
** allows mailto: (an author's address).
*/
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "entry.h"
#include "feed.h"
#include "url.h"

static void push_entry(lua_State *L, const orr_entry *e) {
  size_t i;
  lua_createtable(L, 0, ORR_E_NFIELDS + 4);
  for (i = 0; i < ORR_E_NFIELDS; i++) orr_set_str(L, orr_entry_field_names[i], e->f[i]);
  if (e->has_published) { lua_pushinteger(L, e->published); lua_setfield(L, -2, "published"); }
  if (e->has_updated) { lua_pushinteger(L, e->updated); lua_setfield(L, -2, "updated"); }
  lua_createtable(L, (int)e->nenc, 0);
  for (i = 0; i < e->nenc; i++) {
    lua_createtable(L, 0, 3);
    orr_set_str(L, "href", e->enc[i].href);
    orr_set_str(L, "type", e->enc[i].type);
    orr_set_str(L, "length", e->enc[i].length);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "enclosures");
  lua_createtable(L, (int)e->ntags, 0);
  for (i = 0; i < e->ntags; i++) {
    lua_pushstring(L, e->tags[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "tags");
}

void orr_push_feed(lua_State *L, const orr_feed *f) {
  size_t i;
  lua_createtable(L, 0, ORR_F_NFIELDS + 5);
  lua_pushstring(L, f->format);
  lua_setfield(L, -2, "format");
  lua_pushboolean(L, f->bozo);
  lua_setfield(L, -2, "bozo");
  orr_set_str(L, "bozo_message", f->bozo_message);
  for (i = 0; i < ORR_F_NFIELDS; i++) orr_set_str(L, orr_feed_field_names[i], f->f[i]);
  if (f->has_updated) { lua_pushinteger(L, f->updated); lua_setfield(L, -2, "updated"); }
  lua_createtable(L, (int)f->nentries, 0);
  for (i = 0; i < f->nentries; i++) {
    push_entry(L, &f->entries[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "entries");
}

static int f_parse(lua_State *L) {
  size_t len;
  const char *data = luaL_checklstring(L, 1, &len);
  orr_feed_opts o;
  orr_feed *f;
  char err[320];
  memset(&o, 0, sizeof o);
  o.url = orr_opt_str(L, 2, "url", NULL);
  o.encoding = orr_opt_str(L, 2, "encoding", NULL);
  o.sanitize = orr_opt_bool(L, 2, "sanitize", 1);
  o.title_html = orr_opt_bool(L, 2, "title_html", 0);
  o.plain = orr_opt_bool(L, 2, "plain", 0);
  f = orr_feed_parse(data, len, &o, err, sizeof err);
  if (f == NULL) return orr_fail(L, "%s", err);
  orr_push_feed(L, f);
  orr_feed_free(f);
  return 1;
}

static int f_url(lua_State *L) {
  const char *ref = luaL_checkstring(L, 1), *base = luaL_optstring(L, 2, NULL);
  const char *kind = luaL_optstring(L, 3, "web");
  char why[120], *u;
  if (strcmp(kind, "web") != 0 && strcmp(kind, "mail") != 0) return luaL_argerror(L, 3, "'web' or 'mail'");
  u = orr_url_field(ref, base, kind[0] == 'm' ? ORR_URL_WEB_OR_MAIL : ORR_URL_WEB, why, sizeof why);
  if (u == NULL) {
    if (strcmp(why, "out of memory") == 0) return luaL_error(L, "out of memory");
    return orr_fail(L, "%s", why);
  }
  lua_pushstring(L, u);
  free(u);
  return 1;
}

static int f_author(lua_State *L) {
  orr_person p = { NULL, NULL, NULL };
  orr_author_read(luaL_checkstring(L, 1), &p);
  if (p.name) lua_pushstring(L, p.name); else lua_pushnil(L);
  if (p.email) lua_pushstring(L, p.email); else lua_pushnil(L);
  orr_person_free(&p);
  return 2;
}

static const luaL_Reg lib[] = {
  { "parse",  f_parse  },
  { "url",    f_url    },
  { "author", f_author },
  { NULL, NULL }
};

int luaopen_orrery_feed(lua_State *L) {
  luaL_newlib(L, lib);
  return 1;
}
