/*
** api/html.c — orrery._html: sanitizing, text, and HTML documents with XPath for recipes.
**
**   sanitize(html [, base]) -> safe html        text(html [, "key"]) -> plain text
**   text_key(html, title, prefix, min) -> hash | nil   an entry's text key (see f_text_key)
**   parse(html [, url [, charset]]) -> Doc       resolve(ref, base) -> url
**     (with charset, even "": a fetched page, read in its own encoding: BOM, charset, <meta>)
**   feed_links(html [, url]) -> { {href, type, title} }   the feeds a page links to
**   css(selector) -> xpath | nil, err           the XPath a CSS selector stands for
**   Doc:select(xpath) -> { Node }   Doc:css(selector) -> { Node }   Doc:close()
**   Node:select(xpath)  Node:css(selector)  Node:text()  Node:attr(name)  Node:url(name)
**   Node:html()  Node:name()
**   Doc:article() -> html | nil     the page's article by readability scoring (readable.h);
**                                   removes the page's chrome from the Doc; not sanitized
** A selector css() cannot read is an error raised by Doc:css and Node:css (the recipe's
** mistake), and nil, err from css().
**
** A Node keeps its Doc alive through its user value, so nodes stay valid after the Doc
** variable is gone; Doc:close() frees the tree early, after which its nodes raise.
*/
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>

#include "api/api.h"
#include "buf.h"
#include "css.h"
#include "html.h"
#include "url.h"
#include "readable.h"

#define DOC_MT  "orrery.html.Doc"
#define NODE_MT "orrery.html.Node"

typedef struct ldoc { htmlDocPtr doc; } ldoc;
typedef struct lnode { xmlNodePtr node; ldoc *owner; } lnode;

static int push_str(lua_State *L, char *s) {
  if (s == NULL) return luaL_error(L, "out of memory");
  lua_pushstring(L, s);
  free(s);
  return 1;
}

static int f_sanitize(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *base = luaL_optstring(L, 2, NULL);
  return push_str(L, orr_html_sanitize(s, len, base));
}

/* text(html [, "key"]): with "key", html is what orrery stored (sanitized) and the text
** comes as a comparison key: whitespace runs one space, trimmed, ASCII in lower case (the
** fast scan of stored HTML, not a parse).  For it, each byte as the key has it (white
** space a space, ASCII letters lower case), made once. */
static unsigned char key_map[256];

static void key_map_init(void) {
  int c;
  for (c = 0; c < 256; c++) key_map[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  key_map['\t'] = key_map['\n'] = key_map['\f'] = key_map['\r'] = ' ';
}

/* The key text of stored HTML, as the fast scan reads it: its text in lower case, each run
** of white space one space, none leading or trailing, appended to a buffer.  A line break
** is white space like any other; the text ends at a NUL, as a C string would.  A table
** lookup and no branch a byte: this runs for every entry stored, on the first 3,000 bytes
** of its HTML, and text alternates words and spaces too often for a branch to be guessed. */
typedef struct key_text {
  orr_buf *out;
  size_t start;           /* where the key text starts in out */
  unsigned char prev;     /* the last byte read, as the key has it (' ' at the start) */
  int ended;              /* a NUL was read */
} key_text;

static void key_out(void *ud, const char *s, size_t len) {
  key_text *k = ud;
  unsigned char prev = k->prev;
  size_t i;
  char *w;
  if (k->ended) return;
  if (s == NULL) { s = " "; len = 1; }
  orr_buf_reserve(k->out, len + 1);
  if (!orr_buf_ok(k->out)) return;
  w = k->out->data + k->out->len;
  for (i = 0; i < len; i++) {
    unsigned char c = key_map[(unsigned char)s[i]];
    if (c == 0) { k->ended = 1; break; }
    *w = (char)c;
    w += (c != ' ') | (prev != ' ');
    prev = c;
  }
  k->out->len = (size_t)(w - k->out->data);
  *w = '\0';
  k->prev = prev;
}

/* Append the key text of html to out; returns its length. */
static size_t key_read(orr_buf *out, const char *html, size_t len) {
  key_text k;
  k.out = out;
  k.start = out->len;
  k.prev = ' ';
  k.ended = 0;
  orr_html_text_scan(html, len, key_out, &k);
  if (!orr_buf_ok(out)) return 0;
  if (out->len > k.start && out->data[out->len - 1] == ' ') out->data[--out->len] = '\0';
  return out->len - k.start;
}

static int f_text(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  orr_buf b;
  if (!lua_isstring(L, 2) || strcmp(lua_tostring(L, 2), "key") != 0) return push_str(L, orr_html_text(s, len));
  orr_buf_init(&b);
  key_read(&b, s, len);
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return luaL_error(L, "out of memory"); }
  lua_pushlstring(L, b.data ? b.data : "", b.len);
  orr_buf_free(&b);
  return 1;
}

/* Is c white space as Lua's %s has it (C locale)? */
static int lua_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* text_key(html, title, prefix, min) -> key | nil: the digest of the title (lower case,
** white space runs one space, trimmed) and, after a NUL, the key text of html's first
** prefix bytes; nil when that text is shorter than min bytes.  What
**   cutil.digest(squash(title) .. '\0' .. text(html:sub(1, prefix), 'key'))
** gives, without the strings in between (shown.text_key owns the rule).  A digest, not
** FNV-1a as in orrery 0.2: FNV's multiply a byte was most of the time an entry's keys
** took (store.lua's schema 11 made the stored keys again). */
static int f_text_key(lua_State *L) {
  size_t len, tlen = 0, i, n;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *title = luaL_optlstring(L, 2, "", &tlen);
  lua_Integer prefix = luaL_checkinteger(L, 3), min = luaL_checkinteger(L, 4);
  char hex[18];
  orr_buf b;
  if (prefix >= 0 && (lua_Unsigned)prefix < len) len = (size_t)prefix;
  orr_buf_init(&b);
  orr_buf_reserve(&b, tlen + 1 + len);
  for (i = 0; i < tlen; i++) {
    unsigned char c = (unsigned char)title[i];
    if (lua_space(c)) {
      while (i + 1 < tlen && lua_space((unsigned char)title[i + 1])) i++;
      if (b.len > 0 && i + 1 < tlen) orr_buf_addc(&b, ' ');   /* none leading, none trailing */
    } else {
      orr_buf_addc(&b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
  }
  orr_buf_addc(&b, '\0');
  n = key_read(&b, s, len);
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return luaL_error(L, "out of memory"); }
  if ((lua_Integer)n < min) { orr_buf_free(&b); lua_pushnil(L); return 1; }
  orr_digest_hex(orr_digest(0, b.data, b.len), hex);
  orr_buf_free(&b);
  lua_pushstring(L, hex);
  return 1;
}

static int f_resolve(lua_State *L) {
  const char *ref = luaL_checkstring(L, 1);
  const char *base = luaL_optstring(L, 2, NULL);
  return push_str(L, orr_url_resolve(ref, base));
}

static int f_clean_url(lua_State *L) {
  const char *ref = luaL_checkstring(L, 1);
  const char *base = luaL_optstring(L, 2, NULL);
  char *u = orr_url_clean(ref, base);
  if (u == NULL) { luaL_pushfail(L); return 1; }
  return push_str(L, u);
}

/* feed_links(html [, url]) -> { {href=, type=, title=} }: the feeds a page announces with
** <link rel="alternate" type="application/rss+xml|atom+xml|rdf+xml|feed+json">. */
static int f_feed_links(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *url = luaL_optstring(L, 2, NULL);
  htmlDocPtr doc = orr_html_parse(s, len, url);
  xmlXPathContextPtr xc;
  xmlXPathObjectPtr r;
  int i, n = 0;
  if (doc == NULL) return luaL_error(L, "out of memory");
  lua_newtable(L);
  xc = xmlXPathNewContext(doc);
  r = xc ? xmlXPathEvalExpression((const xmlChar *)
        "//link[contains(concat(' ', translate(@rel, 'ALTERNATE', 'alternate'), ' '), ' alternate ')][@href]", xc) : NULL;
  for (i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
    xmlNodePtr node = r->nodesetval->nodeTab[i];
    xmlChar *type = xmlGetProp(node, (const xmlChar *)"type");
    xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
    xmlChar *title = xmlGetProp(node, (const xmlChar *)"title");
    const char *t = (const char *)type;
    if (t && href && (strstr(t, "rss+xml") || strstr(t, "atom+xml") || strstr(t, "rdf+xml") ||
                      strstr(t, "feed+json") || strstr(t, "application/json"))) {
      char *abs = orr_url_clean((const char *)href, url);
      if (abs) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, abs);
        lua_setfield(L, -2, "href");
        lua_pushstring(L, t);
        lua_setfield(L, -2, "type");
        if (title) { lua_pushstring(L, (const char *)title); lua_setfield(L, -2, "title"); }
        lua_rawseti(L, -2, ++n);
        free(abs);
      }
    }
    xmlFree(type); xmlFree(href); xmlFree(title);
  }
  xmlXPathFreeObject(r);
  xmlXPathFreeContext(xc);
  xmlFreeDoc(doc);
  return 1;
}

static ldoc *check_doc(lua_State *L, int idx) {
  ldoc *d = luaL_checkudata(L, idx, DOC_MT);
  if (d->doc == NULL) luaL_error(L, "attempt to use a closed html document");
  return d;
}

static lnode *check_node(lua_State *L, int idx) {
  lnode *n = luaL_checkudata(L, idx, NODE_MT);
  if (n->owner->doc == NULL) luaL_error(L, "attempt to use a node of a closed html document");
  return n;
}

static int f_parse(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *url = luaL_optstring(L, 2, NULL);
  const char *charset = luaL_optstring(L, 3, NULL);   /* given (even ""): a fetched page */
  ldoc *d = lua_newuserdatauv(L, sizeof *d, 0);   /* created closed, then opened */
  d->doc = NULL;
  luaL_setmetatable(L, DOC_MT);
  d->doc = charset ? orr_html_parse_page(s, len, url, charset) : orr_html_parse(s, len, url);
  if (d->doc == NULL) return luaL_error(L, "out of memory");
  return 1;
}

static int doc_close(lua_State *L) {
  ldoc *d = luaL_checkudata(L, 1, DOC_MT);
  if (d->doc) { xmlFreeDoc(d->doc); d->doc = NULL; }
  return 0;
}

/* The steps one XPath evaluation may take (libxml2 counts them: opLimit).  Time inside a C
** call escapes a recipe's instruction budget, and an expression's cost grows with the page to
** the power of its nesting: a count() of all elements inside a predicate over all elements,
** inside another such predicate, took 6 s on a page of 900 elements.
** Selectors that recipes write take a few million steps on the largest page orrery reads
** (ORR_MAX_ELEMENTS); this bound is about half a second. */
#define XPATH_STEPS 50000000UL

/* Evaluate xpath with ctx as the context node; push a list of Nodes sharing doc at docidx. */
static int select_nodes(lua_State *L, int docidx, ldoc *d, xmlNodePtr ctx, const char *expr) {
  xmlXPathContextPtr xc = xmlXPathNewContext(d->doc);
  xmlXPathObjectPtr r;
  int i, n, spent;
  if (xc == NULL) return luaL_error(L, "out of memory");
  xc->node = ctx;
  xc->opLimit = XPATH_STEPS;
  r = xmlXPathEvalExpression((const xmlChar *)expr, xc);
  spent = xc->opCount >= xc->opLimit;
  xmlXPathFreeContext(xc);
  if (r == NULL && spent) return luaL_error(L, "xpath expression took more than %d steps: %s", (int)XPATH_STEPS, expr);
  if (r == NULL) return luaL_error(L, "invalid xpath expression: %s", expr);
  n = (r->type == XPATH_NODESET && r->nodesetval) ? r->nodesetval->nodeNr : 0;
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lnode *ln = lua_newuserdatauv(L, sizeof *ln, 1);
    ln->node = r->nodesetval->nodeTab[i];
    ln->owner = d;
    luaL_setmetatable(L, NODE_MT);
    lua_pushvalue(L, docidx);
    lua_setiuservalue(L, -2, 1);          /* the node keeps its document alive */
    lua_rawseti(L, -2, i + 1);
  }
  xmlXPathFreeObject(r);
  return 1;
}

/* The XPath of the CSS selector at idx; raises on a selector it cannot read (a mistake in
** the recipe, to be fixed there). */
static const char *css_xpath(lua_State *L, int idx) {
  char err[200];
  char *x = orr_css_to_xpath(luaL_checkstring(L, idx), err, sizeof err);
  if (x == NULL) { luaL_error(L, "%s", err[0] ? err : "out of memory"); return NULL; }
  lua_pushstring(L, x);
  free(x);
  lua_replace(L, idx);
  return lua_tostring(L, idx);
}

static int f_css(lua_State *L) {
  char err[200];
  char *x = orr_css_to_xpath(luaL_checkstring(L, 1), err, sizeof err);
  if (x == NULL) return orr_fail(L, "%s", err[0] ? err : "out of memory");
  lua_pushstring(L, x);
  free(x);
  return 1;
}

static int doc_css(lua_State *L) {
  ldoc *d = check_doc(L, 1);
  return select_nodes(L, 1, d, (xmlNodePtr)d->doc, css_xpath(L, 2));
}

static int node_css(lua_State *L) {
  lnode *n = check_node(L, 1);
  const char *x = css_xpath(L, 2);
  lua_getiuservalue(L, 1, 1);                 /* [node, xpath, doc] */
  return select_nodes(L, 3, n->owner, n->node, x);
}

static int doc_article(lua_State *L) {
  ldoc *d = check_doc(L, 1);
  const char *err;
  char *s = orr_readable(d->doc, &err);
  if (s == NULL) {
    if (err) return luaL_error(L, "%s", err);
    lua_pushnil(L);
    return 1;
  }
  return push_str(L, s);
}

static int doc_select(lua_State *L) {
  ldoc *d = check_doc(L, 1);
  return select_nodes(L, 1, d, (xmlNodePtr)d->doc, luaL_checkstring(L, 2));
}

static int node_select(lua_State *L) {
  lnode *n = check_node(L, 1);
  lua_getiuservalue(L, 1, 1);                 /* [node, expr, doc] */
  return select_nodes(L, 3, n->owner, n->node, luaL_checkstring(L, 2));
}

static int node_text(lua_State *L) {
  return push_str(L, orr_node_text(check_node(L, 1)->node));
}

static int node_attr(lua_State *L) {
  lnode *n = check_node(L, 1);
  xmlChar *v = xmlGetProp(n->node, (const xmlChar *)luaL_checkstring(L, 2));
  if (v == NULL) { lua_pushnil(L); return 1; }
  lua_pushstring(L, (const char *)v);
  xmlFree(v);
  return 1;
}

/* An attribute as an absolute URL, resolved against the document's base. */
static int node_url(lua_State *L) {
  lnode *n = check_node(L, 1);
  xmlChar *v = xmlGetProp(n->node, (const xmlChar *)luaL_checkstring(L, 2));
  xmlChar *base;
  char *u;
  if (v == NULL) { lua_pushnil(L); return 1; }
  base = xmlNodeGetBase(n->owner->doc, n->node);   /* an HTML <base>, if any */
  if (base == NULL && n->owner->doc->URL) base = xmlStrdup(n->owner->doc->URL);
  u = orr_url_resolve((const char *)v, (const char *)base);
  xmlFree(v);
  xmlFree(base);
  return push_str(L, u);
}

static int node_html(lua_State *L) {
  lnode *n = check_node(L, 1);
  xmlBufferPtr b = xmlBufferCreate();
  xmlNodePtr c;
  if (b == NULL) return luaL_error(L, "out of memory");
  for (c = n->node->children; c; c = c->next) htmlNodeDump(b, n->owner->doc, c);
  lua_pushlstring(L, (const char *)xmlBufferContent(b), (size_t)xmlBufferLength(b));
  xmlBufferFree(b);
  return 1;
}

static int node_name(lua_State *L) {
  lnode *n = check_node(L, 1);
  lua_pushstring(L, n->node->name ? (const char *)n->node->name : "");
  return 1;
}

static int node_tostring(lua_State *L) {
  lnode *n = luaL_checkudata(L, 1, NODE_MT);
  lua_pushfstring(L, "html.Node<%s>", n->owner->doc && n->node->name ? (const char *)n->node->name : "closed");
  return 1;
}

static const luaL_Reg doc_methods[] = {
  { "select", doc_select },
  { "css",    doc_css    },
  { "article", doc_article },
  { "close",  doc_close  },
  { NULL, NULL }
};

static const luaL_Reg node_methods[] = {
  { "select", node_select },
  { "css",    node_css    },
  { "text",   node_text   },
  { "attr",   node_attr   },
  { "url",    node_url    },
  { "html",   node_html   },
  { "name",   node_name   },
  { NULL, NULL }
};

static const luaL_Reg lib[] = {
  { "sanitize",  f_sanitize  },
  { "css",       f_css       },
  { "text",      f_text      },
  { "text_key",  f_text_key  },
  { "parse",     f_parse     },
  { "resolve",   f_resolve   },
  { "clean_url", f_clean_url },
  { "feed_links", f_feed_links },
  { NULL, NULL }
};

int luaopen_orrery_html(lua_State *L) {
  key_map_init();
  luaL_newmetatable(L, DOC_MT);             /* [mt] */
  luaL_newlib(L, doc_methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, doc_close);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, doc_close);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  luaL_newmetatable(L, NODE_MT);
  luaL_newlib(L, node_methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, node_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
