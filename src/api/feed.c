/*
** api/feed.c — orrery._feed: parse(bytes [, opts]) -> feed | nil, err
**
** opts: url (base for relative links), encoding (charset from HTTP), sanitize (default true),
** title_html (titles as feedparser gives them: sanitized HTML when they are HTML; default
** false, titles are plain text).
** The feed table: format, bozo, bozo_message, the string fields of orr_feed_field_names,
** updated (UTC seconds) and entries = { { id, title, link, author, summary, content,
** content_type, published, updated, published_text, updated_text, comments,
** enclosures = { {href, type, length} }, tags = { term } } }.
*/
#include <string.h>

#include "api/api.h"
#include "feed.h"

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
  o.url = orr_opt_str(L, 2, "url", NULL);
  o.encoding = orr_opt_str(L, 2, "encoding", NULL);
  o.sanitize = orr_opt_bool(L, 2, "sanitize", 1);
  o.title_html = orr_opt_bool(L, 2, "title_html", 0);
  f = orr_feed_parse(data, len, &o, err, sizeof err);
  if (f == NULL) return orr_fail(L, "%s", err);
  orr_push_feed(L, f);
  orr_feed_free(f);
  return 1;
}

static const luaL_Reg lib[] = {
  { "parse", f_parse },
  { NULL, NULL }
};

int luaopen_orrery_feed(lua_State *L) {
  luaL_newlib(L, lib);
  return 1;
}
