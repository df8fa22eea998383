/*
** feed.c — RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and CDF documents to the feed model (entry.h);
** JSON documents are handed to jsonfeed.c.
**
** The bytes are made readable (xmlinput.c), parsed once into a tree (libxml2, recover mode,
** no network, no entity substitution), then walked once: each element is classified by
** (namespace, local name) into a key (the name tables below), and the key picks its
** handler from one table for entries and one for the feed.  RSS and Atom share the walk:
** an RSS <description> and an Atom <summary> both land in the summary.  A new element is a
** row in a name table and, if it means something new, a handler.  HTML fields are
** sanitized here (when asked) so that every consumer gets safe HTML; plain-text fields
** become HTML by escaping, their original type kept in content_type.
**
** A document that libxml2 could only partly read (an unclosed tag in one item swallows the
** items after it) is read again item by item (see reread_items), so one broken item does
** not cost the others.
*/
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "entry.h"
#include "feed.h"
#include "html.h"
#include "jsonfeed.h"
#include "url.h"
#include "xmlinput.h"

#define NS_ATOM10  "http://www.w3.org/2005/Atom"
#define NS_ATOM03  "http://purl.org/atom/ns#"
#define NS_RSS10   "http://purl.org/rss/1.0/"
#define NS_RSS090  "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC      "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_XHTML   "http://www.w3.org/1999/xhtml"
#define NS_ITUNES  "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_MEDIA   "http://search.yahoo.com/mrss/"
#define NS_USERLAND "http://backend.userland.com/rss"   /* rss and rss2 */
#define NS_HARVARD "http://blogs.law.harvard.edu/tech/rss"

enum ns { NS_NONE, NS_RSS, NS_ATOM, NS_A03, NS_DCE, NS_DCT, NS_CONT, NS_XH, NS_ITU, NS_MED,
          NS_OTHER, NS_COUNT };

static enum ns ns_of(xmlNodePtr n) {
  const char *h;
  if (n->ns == NULL || n->ns->href == NULL) return NS_NONE;
  h = (const char *)n->ns->href;
  if (strcmp(h, NS_ATOM10) == 0) return NS_ATOM;
  if (n->doc && n->doc->_private && strcmp(h, (const char *)n->doc->_private) == 0) return NS_A03;
  if (strcmp(h, NS_ATOM03) == 0) return NS_A03;
  if (strcmp(h, NS_RSS10) == 0 || strcmp(h, NS_RSS090) == 0 || strncmp(h, NS_USERLAND, sizeof NS_USERLAND - 1) == 0 ||
      strcmp(h, NS_HARVARD) == 0)
    return NS_RSS;
  if (strcmp(h, NS_DC) == 0) return NS_DCE;
  if (strcmp(h, NS_DCTERMS) == 0) return NS_DCT;
  if (strcmp(h, NS_CONTENT) == 0) return NS_CONT;
  if (strcmp(h, NS_XHTML) == 0) return NS_XH;
  if (strcasecmp(h, NS_ITUNES) == 0) return NS_ITU;   /* case varies in the wild */
  if (strncmp(h, NS_MEDIA, sizeof NS_MEDIA - 2) == 0) return NS_MED;   /* with or without the final / */
  return NS_OTHER;
}

static int is_atom(xmlNodePtr n) { enum ns s = ns_of(n); return s == NS_ATOM || s == NS_A03; }

/* {====== What an element means ====== */

/* Meanings, independent of the format they came from. */
enum key {
  K_NONE, K_TITLE, K_LINK, K_DESCRIPTION, K_SUMMARY, K_CONTENT, K_ENCODED, K_XHTML_BODY,
  K_ID, K_GUID, K_PUBLISHED, K_PUBDATE, K_UPDATED, K_AUTHOR, K_CREATOR, K_CATEGORY, K_SUBJECT,
  K_ENCLOSURE, K_LANGUAGE, K_SUBTITLE, K_ITEM, K_CHANNEL, K_ICON, K_IMAGE, K_RIGHTS,
  K_GENERATOR, K_COMMENTS, K_ITUNES_AUTHOR, K_ITUNES_SUMMARY, K_ITUNES_OWNER,
  K_ITUNES_SUBTITLE, K_ITUNES_CATEGORY, K_MEDIA_CONTENT, K_MEDIA_GROUP, K_MEDIA_TITLE,
  K_TAGS, K_SOURCE, K_COUNT
};

typedef struct name_key { const char *name; enum key key; } name_key;

/* Un-namespaced names (RSS 0.9x/2.0, and Atom written without its namespace), matched
** without regard to case (<TiTlE>) as feedparser does; the names here are lower case. */
static const name_key plain_names[] = {
  { "title", K_TITLE }, { "link", K_LINK }, { "description", K_DESCRIPTION }, { "guid", K_GUID },
  { "pubdate", K_PUBDATE }, { "lastbuilddate", K_UPDATED }, { "author", K_AUTHOR },
  { "managingeditor", K_AUTHOR }, { "category", K_CATEGORY }, { "enclosure", K_ENCLOSURE },
  { "language", K_LANGUAGE }, { "item", K_ITEM }, { "channel", K_CHANNEL }, { "image", K_IMAGE },
  { "copyright", K_RIGHTS }, { "generator", K_GENERATOR }, { "comments", K_COMMENTS },
  { "body", K_XHTML_BODY },                  /* an XHTML body without its namespace */
  { "entry", K_ITEM }, { "id", K_ID }, { "summary", K_SUMMARY }, { "content", K_CONTENT },
  { "updated", K_UPDATED }, { "modified", K_UPDATED }, { "published", K_PUBLISHED },
  { "issued", K_PUBLISHED }, { "subtitle", K_SUBTITLE }, { "tagline", K_SUBTITLE },
  { "fullitem", K_ENCODED },                 /* an old RSS 0.9x module */
  { "tags", K_TAGS },                        /* made up, but common: "a, b, c" */
  { "source", K_SOURCE }, { NULL, K_NONE }
};
static const name_key atom_names[] = {
  { "title", K_TITLE }, { "link", K_LINK }, { "summary", K_SUMMARY }, { "content", K_CONTENT },
  { "id", K_ID }, { "published", K_PUBLISHED }, { "issued", K_PUBLISHED }, { "updated", K_UPDATED },
  { "modified", K_UPDATED }, { "author", K_AUTHOR }, { "category", K_CATEGORY },
  { "subtitle", K_SUBTITLE }, { "tagline", K_SUBTITLE }, { "entry", K_ITEM }, { "item", K_ITEM },
  { "icon", K_ICON }, { "logo", K_ICON }, { "rights", K_RIGHTS }, { "copyright", K_RIGHTS },
  { "generator", K_GENERATOR }, { "source", K_SOURCE }, { NULL, K_NONE }
};
static const name_key dc_names[] = {
  { "title", K_TITLE }, { "description", K_DESCRIPTION }, { "date", K_UPDATED },
  { "creator", K_CREATOR }, { "author", K_CREATOR }, { "subject", K_SUBJECT },
  { "language", K_LANGUAGE }, { "rights", K_RIGHTS }, { "identifier", K_GUID }, { NULL, K_NONE }
};
static const name_key dcterms_names[] = {
  { "modified", K_UPDATED }, { "issued", K_PUBLISHED }, { NULL, K_NONE }
};
static const name_key content_names[] = { { "encoded", K_ENCODED }, { NULL, K_NONE } };
static const name_key xhtml_names[] = { { "body", K_XHTML_BODY }, { NULL, K_NONE } };
static const name_key itunes_names[] = {
  { "author", K_ITUNES_AUTHOR }, { "summary", K_ITUNES_SUMMARY }, { "keywords", K_SUBJECT },
  { "category", K_ITUNES_CATEGORY }, { "owner", K_ITUNES_OWNER }, { "subtitle", K_ITUNES_SUBTITLE },
  { NULL, K_NONE }
};
static const name_key media_names[] = {
  { "content", K_MEDIA_CONTENT }, { "title", K_MEDIA_TITLE }, { "category", K_SUBJECT },
  { "description", K_ITUNES_SUMMARY },       /* a plain-text summary too */
  { "group", K_MEDIA_GROUP }, { NULL, K_NONE }
};
static const name_key *const names_by_ns[NS_COUNT] = {
  plain_names, plain_names, atom_names, atom_names, dc_names, dcterms_names, content_names,
  xhtml_names, itunes_names, media_names, NULL
};

static enum key key_of(xmlNodePtr n) {
  enum ns ns = ns_of(n);
  const name_key *t = names_by_ns[ns];
  const char *nm = (const char *)n->name;
  char low[16];
  size_t i;
  if (t == NULL) return K_NONE;
  if (ns == NS_NONE || ns == NS_RSS) {
    /* lower-cased once, then compared with the lower-case names */
    for (i = 0; nm[i] && i < sizeof low - 1; i++) low[i] = (char)(nm[i] >= 'A' && nm[i] <= 'Z' ? nm[i] + 32 : nm[i]);
    if (nm[i]) return K_NONE;                 /* longer than any name above */
    low[i] = '\0';
    nm = low;
  }
  for (; t->name; t++)
    if (strcmp(nm, t->name) == 0) return t->key;
  return K_NONE;
}

static int is(xmlNodePtr n, const char *name) { return strcmp((const char *)n->name, name) == 0; }
/* }====== */

/* {====== Values of elements ====== */

typedef struct parse_state {
  xmlDocPtr doc;
  const orr_feed_opts *opts;
  int oom;
  int raw;           /* bytes not from libxml2 went into a field (base64) */
  char **notes;      /* where the URL policy notes what it drops: the entry's or the feed's */
  const orr_xml_input *in;   /* the bytes read (their CDATA set aside: see xmlinput.h) */
} parse_state;

static char *attr(xmlNodePtr n, const char *name) {
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
  char *s;
  if (v == NULL) return NULL;
  s = strdup((const char *)v);
  xmlFree(v);
  return s;
}

static int attr_is(xmlNodePtr n, const char *name, const char *value) {
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
  int r = v && xmlStrcasecmp(v, (const xmlChar *)value) == 0;
  xmlFree(v);
  return r;
}

static void trim(const char **p, size_t *len) {
  const char *s = *p;
  size_t e = *len;
  while (e && (unsigned char)*s <= ' ') { s++; e--; }
  while (e && (unsigned char)s[e - 1] <= ' ') e--;
  *p = s;
  *len = e;
}

/* The text of n when it is one text node (the usual case): *p and *len span it,
** whitespace-trimmed, without a copy.  0 when n has other children. */
static int text_span(xmlNodePtr n, const char **p, size_t *len) {
  xmlNodePtr c = n->children;
  if (!c || c->next || (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)) return 0;
  *p = c->content ? (const char *)c->content : "";
  *len = strlen(*p);
  trim(p, len);
  return 1;
}

/* Text of an element, whitespace-trimmed; NULL if empty. */
static char *text_of(parse_state *st, xmlNodePtr n) {
  orr_buf b;
  const char *t;
  size_t len;
  char *out;
  orr_buf_init(&b);
  if (!text_span(n, &t, &len)) {
    orr_xml_text(&b, n->children);
    if (!orr_buf_ok(&b)) { st->oom = 1; return NULL; }
    t = b.data;
    len = b.len;
    trim(&t, &len);
  }
  if (len == 0) { orr_buf_free(&b); return NULL; }
  out = malloc(len + 1);
  if (out == NULL) { st->oom = 1; orr_buf_free(&b); return NULL; }
  memcpy(out, t, len);
  out[len] = '\0';
  orr_buf_free(&b);
  return out;
}

static char *base_of(parse_state *st, xmlNodePtr n) {
  return orr_xml_base(n, st->opts->url);
}

/* A URL field's value (raw, taken) under the model's URL policy, against n's base. */
static char *url_value(parse_state *st, xmlNodePtr n, char *raw, int kind, const char *what) {
  char *base, *u;
  if (raw == NULL) return NULL;
  base = base_of(st, n);
  u = orr_url_take(raw, base, kind, st->notes, what, &st->oom);
  free(base);
  return u;
}

/* Atom text constructs: type="text|html|xhtml" (1.0) or a MIME type and mode (0.3).
** Returns 0 (html), 1 (text) or 2 (inline XML markup), plus MODE_B64 when the value is
** base64 (Atom 1.0 non-text, non-XML media types; Atom 0.3 mode="base64").  The media
** type to report goes to mime. */
#define MODE_B64 4
static int atom_mode(xmlNodePtr n, char *mime, size_t mlen) {
  char *type = attr(n, "type"), *mode = attr(n, "mode");
  int m = 1;
  size_t tl;
  snprintf(mime, mlen, "text/plain");
  if (type == NULL || strcmp(type, "text") == 0 || strcmp(type, "text/plain") == 0) {
    m = 1;
  } else if (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0) {
    m = 0; snprintf(mime, mlen, "text/html");
  } else if (strcmp(type, "xhtml") == 0 || strcmp(type, "application/xhtml+xml") == 0) {
    m = 2; snprintf(mime, mlen, "application/xhtml+xml");
  } else {
    snprintf(mime, mlen, "%s", type);
    orr_utf8_uncut(mime);             /* (a long type is cut between characters, not inside one) */
    tl = strlen(type);
    if ((tl > 4 && strcmp(type + tl - 4, "+xml") == 0) || (tl > 4 && strcmp(type + tl - 4, "/xml") == 0))
      m = 2;
    else if (strncmp(type, "text/", 5) == 0 || strchr(type, '/') == NULL)
      m = 1;                          /* (type="" or a word that is no media type: text) */
    else if (ns_of(n) == NS_ATOM)
      m = 1 | MODE_B64;
  }
  if (mode && strcmp(mode, "xml") == 0) m = 2;
  else if (mode && strcmp(mode, "escaped") == 0 && (m & 3) == 1 && type) { m = 0; snprintf(mime, mlen, "text/html"); }
  else if (mode && strcmp(mode, "base64") == 0) m |= MODE_B64;
  free(type);
  free(mode);
  return m;
}

/* Decode base64 in place (whitespace skipped); returns the decoded length. */
static size_t base64_decode(char *s) {
  static const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t out = 0;
  unsigned acc = 0;
  int bits = 0;
  const char *p;
  for (p = s; *p && *p != '='; p++) {
    const char *q = strchr(alphabet, *p);
    if (q == NULL || *p == '\0') continue;
    acc = (acc << 6) | (unsigned)(q - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      s[out++] = (char)((acc >> bits) & 0xFF);
    }
  }
  s[out] = '\0';
  return out;
}

/* UTF-8 read as Latin-1 and encoded again ("\u00e2\u0080\u00a6" for "\u2026"): when every character
** of s is at most U+00FF and those bytes are themselves valid UTF-8 with at least one
** multi-byte sequence, they are what was meant (feedparser does the same).  Returns the
** repaired string (malloc'd) or NULL when s is not such text. */
static char *undouble_utf8(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  unsigned char *out, *o;
  size_t i;
  int high = 0;
  for (i = 0; p[i]; i++) {
    if (p[i] >= 0xC4) return NULL;                    /* a character above U+00FF */
    if (p[i] >= 0xC2) { high = 1; i++; if (p[i] < 0x80 || p[i] > 0xBF) return NULL; }
    else if (p[i] >= 0x80) return NULL;               /* not UTF-8 at all */
  }
  if (!high) return NULL;
  out = malloc(i + 1);
  if (out == NULL) return NULL;
  for (o = out, i = 0; p[i]; i++) {
    if (p[i] >= 0xC2) { *o++ = (unsigned char)(((p[i] & 0x1F) << 6) | (p[i + 1] & 0x3F)); i++; }
    else *o++ = p[i];
  }
  *o = '\0';
  /* the bytes must read as UTF-8 (with a multi-byte sequence: there was a byte >= 0x80) */
  if (!orr_utf8_valid((char *)out, (size_t)(o - out))) { free(out); return NULL; }
  return (char *)out;
}

/* The value of an element that holds HTML, as sanitized HTML (when opts->sanitize).
** mode: 0 = html (escaped or CDATA), 1 = plain text, 2 = xhtml/inline xml (children are
** markup); MODE_B64 added: base64.  Empty or all-whitespace values are no value (NULL). */

/* Base64 (Atom 1.0 non-text media types, Atom 0.3 mode="base64"), decoded. */
static char *html_b64(parse_state *st, xmlNodePtr n, int mode) {
  char *t = text_of(st, n), *out, *base;
  if (t == NULL) return NULL;
  base64_decode(t);
  st->raw = 1;
  mode &= 3;
  if (mode == 0 && st->opts->sanitize) {
    base = base_of(st, n);
    out = orr_html_sanitize(t, strlen(t), base);
    free(base);
  } else {
    out = mode == 0 ? strdup(t) : orr_html_escape(t);
  }
  free(t);
  if (out == NULL) st->oom = 1;
  return out;
}

/* Markup in the XML itself: Atom xhtml (whose one <div> wrapper is not content, RFC 4287
** 3.1.1.3; Atom 0.3 has no such wrapper) or "naked" HTML elements in an RSS field,
** whatever the declared type.  el is n's first element child (or NULL). */
static char *html_markup(parse_state *st, xmlNodePtr n, int mode, xmlNodePtr el) {
  xmlNodePtr from = n, c;
  char *base, *out = NULL;
  if (ns_of(n) == NS_ATOM && mode == 2 && el && ns_of(el) == NS_XH && is(el, "div")) from = el;
  base = base_of(st, from);
  if (st->opts->sanitize) {
    out = orr_html_sanitize_node(from, base);
  } else {
    xmlBufferPtr xb = xmlBufferCreate();
    for (c = from->children; c && xb; c = c->next) xmlNodeDump(xb, st->doc, c, 0, 0);
    out = xb ? strdup((const char *)xmlBufferContent(xb)) : NULL;
    xmlBufferFree(xb);
  }
  free(base);
  if (out == NULL) st->oom = 1;
  return out;
}

/* Text: escaped HTML (mode 0) or plain text (mode 1).  The text as it sits in the tree when
** it is one node (every entry's content), so it is not copied before the sanitizer reads it. */
static char *html_text_value(parse_state *st, xmlNodePtr n, int mode) {
  char *t = NULL, *fixed, *out, *base;
  const char *p;
  size_t plen;
  if (!text_span(n, &p, &plen)) {
    if ((t = text_of(st, n)) == NULL) return NULL;
    p = t;
    plen = strlen(t);
  }
  if (plen == 0) return NULL;
  if ((fixed = undouble_utf8(p)) != NULL) {   /* checked valid; p runs on to the node's end */
    free(t);
    p = t = fixed;
    plen = strlen(t);
    trim(&p, &plen);
  }
  if (mode == 1) {
    orr_buf e;
    orr_buf_init(&e);
    orr_buf_add_escaped(&e, p, plen, 0);
    out = orr_buf_take(&e);
  } else if (st->opts->sanitize) {
    base = base_of(st, n);
    out = orr_html_sanitize(p, plen, base);
    free(base);
  } else {
    out = malloc(plen + 1);
    if (out) { memcpy(out, p, plen); out[plen] = '\0'; }
  }
  free(t);
  if (out == NULL) st->oom = 1;
  return out;
}

static char *html_value(parse_state *st, xmlNodePtr n, int mode) {
  char *out;
  const char *p;
  xmlNodePtr el;
  for (el = n->children; el; el = el->next)
    if (el->type == XML_ELEMENT_NODE) break;
  if (mode & MODE_B64) {
    out = html_b64(st, n, mode);
  } else if (mode == 0 && el && ns_of(n) == NS_ATOM && ns_of(el) == NS_XH && is(el, "div")) {
    /* type="html" whose escaped markup sits in an xhtml <div>: the div's text is the HTML */
    char *t = text_of(st, el), *base;
    if (t == NULL) return NULL;
    base = base_of(st, el);
    out = st->opts->sanitize ? orr_html_sanitize(t, strlen(t), base) : strdup(t);
    free(base);
    free(t);
    if (out == NULL) st->oom = 1;
  } else if (mode == 2 || el) {
    out = html_markup(st, n, mode, el);
  } else {
    out = html_text_value(st, n, mode);
  }
  if (out == NULL) return NULL;           /* no value (or out of memory: st->oom says) */
  for (p = out; *p && (unsigned char)*p <= ' '; p++) {}
  if (*p == '\0') { free(out); return NULL; }
  return out;
}

/* feedparser's test for plain-text fields of RSS that are really HTML: a close tag or an
** entity reference, every tag one the sanitizer allows, every entity an HTML one. */
static int looks_like_html(const char *s) {
  const char *p;
  int evidence = 0;
  for (p = s; *p; p++) {
    if (*p == '<') {
      char name[32];
      size_t n = 0;
      const char *q = p + 1;
      if (*q == '/') q++;
      while (n < sizeof name - 1 && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                                     (*q >= '0' && *q <= '9')))
        name[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q), q++;
      name[n] = '\0';
      if (n == 0) continue;
      if (!orr_html_allowed(name)) return 0;
      if (p[1] == '/' && *q == '>') evidence = 1;
    } else if (*p == '&') {
      const char *q = p + 1;
      char name[32];
      size_t n = 0;
      if (*q == '#') { q++; while (*q && *q != ';' && n < 30) q++, n++; if (*q == ';' && n) evidence = 1; continue; }
      while (n < sizeof name - 1 && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                                     (*q >= '0' && *q <= '9')))
        name[n++] = *q++;
      name[n] = '\0';
      if (*q != ';' || n == 0) continue;
      if (htmlEntityLookup((const xmlChar *)name) == NULL) return 0;
      evidence = 1;
    }
  }
  return evidence;
}

/* A title the way feedparser gives it: text stays text, HTML is sanitized; HTML without
** any markup is passed as written (so "&#38;" stays "&#38;"). */
/* One character of HTML at *p: a character reference (&amp; &lt; &gt; &quot; &apos; or
** numeric) gives its code point with *ref set, anything else the byte itself. */
static long html_char(const char **p, int *ref) {
  const char *s = *p;
  static const struct { const char *name; long cp; } named[] = {
    { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' },
  };
  size_t i;
  *ref = 0;
  if (*s == '&') {
    if (s[1] == '#') {
      char *end;
      int hex = s[2] == 'x' || s[2] == 'X';
      long cp = strtol(s + (hex ? 3 : 2), &end, hex ? 16 : 10);
      if (end > s + (hex ? 3 : 2) && *end == ';' && cp > 0 && cp < 0x110000) {
        *p = end + 1;
        *ref = 1;
        return cp;
      }
    }
    for (i = 0; i < sizeof named / sizeof named[0]; i++) {
      size_t len = strlen(named[i].name);
      if (strncmp(s + 1, named[i].name, len) == 0) { *p = s + 1 + len; *ref = 1; return named[i].cp; }
    }
  }
  (*p)++;
  return (unsigned char)*s;
}

/* Does the sanitizer's output say exactly what the source said, only with character
** references spelled its own way (&amp; for &#38;)?  Markup must match markup: a '<', '>'
** or '&' written as a character is never taken as equal to one written as a reference. */
static int same_but_refs(const char *src, const char *out) {
  while (*src && *out) {
    int r1, r2;
    long a = html_char(&src, &r1), b = html_char(&out, &r2);
    if (a != b) return 0;
    if ((a == '<' || a == '>' || a == '&') && r1 != r2) return 0;
  }
  return *src == '\0' && *out == '\0';
}

static char *title_compat(parse_state *st, xmlNodePtr n, int mode, int inline_markup) {
  char *t, *base, *out;
  if (inline_markup) {
    xmlNodePtr from = n, c;
    if (ns_of(n) == NS_ATOM)          /* Atom 1.0 xhtml titles lose their <div> wrapper */
      for (c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) { if (ns_of(c) == NS_XH && is(c, "div")) from = c; break; }
    base = base_of(st, from);
    out = orr_html_sanitize_node(from, base);
    free(base);
    return out;
  }
  t = text_of(st, n);
  if (t && (mode & MODE_B64)) { base64_decode(t); st->raw = 1; mode &= 3; }
  if (t == NULL || mode == 1) return t;
  if (mode == 0 && (ns_of(n) != NS_ATOM && ns_of(n) != NS_A03) && !looks_like_html(t)) return t;
  if (!strchr(t, '<') && !strchr(t, '>') && !strchr(t, '&')) return t;
  base = base_of(st, n);
  out = orr_html_sanitize(t, strlen(t), base);
  free(base);
  /* feedparser gives an HTML title as written when sanitizing changed nothing */
  if (out && same_but_refs(t, out)) { free(out); return t; }
  free(t);
  return out;
}

/* A title is text: markup in it (Atom type="html", or tags in an RSS title) is stripped. */
static char *title_value(parse_state *st, xmlNodePtr n) {
  char mime[64];
  int mode = (ns_of(n) == NS_ATOM || ns_of(n) == NS_A03) ? atom_mode(n, mime, sizeof mime) : 0;
  char *t, *out;
  xmlNodePtr c;
  for (c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) { mode = 2; break; }
  if (st->opts->title_html) return title_compat(st, n, mode, mode == 2);
  t = text_of(st, n);
  if (t && (mode & MODE_B64)) { base64_decode(t); st->raw = 1; mode &= 3; }
  if (t == NULL || mode == 1 || (mode == 0 && !strchr(t, '<') && !strchr(t, '&'))) return t;
  if (mode == 2) return t;     /* the text of inline markup is already plain */
  out = orr_html_text(t, strlen(t));
  free(t);
  if (out == NULL) st->oom = 1;
  return out;
}

/* An author element: Atom's <author> with <name>, <email> and <uri> (p gets them; the text
** returned is "name (email)", or whichever is there, as feedparser gives it), or RSS's
** text as written (p untouched: entry.c reads it). */
static char *person(parse_state *st, xmlNodePtr n, orr_person *p) {
  char *name = NULL, *email = NULL, *uri = NULL, *out;
  xmlNodePtr c;
  int structured = 0;
  for (c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    structured = 1;
    if (is(c, "name")) orr_set_first(&name, text_of(st, c));
    else if (is(c, "email")) orr_set_first(&email, text_of(st, c));
    else if (is(c, "uri") || is(c, "url")) orr_set_first(&uri, url_value(st, c, text_of(st, c), ORR_URL_WEB_OR_MAIL, "author URI"));
  }
  if (!structured) return text_of(st, n);
  if (name && email) {
    size_t len = strlen(name) + strlen(email) + 4;
    out = malloc(len);
    if (out) snprintf(out, len, "%s (%s)", name, email);
  } else if (name || email) {
    out = strdup(name ? name : email);
  } else {
    out = strdup("");                   /* only a uri: an author all the same */
  }
  if (out == NULL) st->oom = 1;
  orr_person_free(p);
  p->name = name;
  p->email = email;
  p->uri = uri;
  return out;
}

static void add_tag(parse_state *st, orr_entry *e, char *term) {
  if (!orr_entry_add_tag(e, term)) st->oom = 1;
}

static void add_enclosure(parse_state *st, orr_entry *e, xmlNodePtr n, const char *url_attr,
                          const char *length_attr) {
  char *url = attr(n, url_attr);
  if (url == NULL) return;
  if (!orr_entry_add_enclosure(e, url_value(st, n, url, ORR_URL_WEB, "enclosure"), attr(n, "type"),
                               attr(n, length_attr)))
    st->oom = 1;
}

/* {====== Entries: one handler per key ======
** Values that count only when nothing better is there (an iTunes summary, a guid that is a
** web address) wait in `alt` until the entry's end. */
typedef struct item_alt { char *summary, *guid_link, *author, *title; } item_alt;
typedef void (*entry_fn)(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt);

static void e_title(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  orr_set_first(&e->f[ORR_E_TITLE], title_value(st, n));
}

static void e_media_title(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)e;
  orr_set_first(&alt->title, title_value(st, n));
}

/* Atom's <link href rel> (also written without the Atom namespace in RSS), or RSS's text. */
static void e_link(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  char *rel;
  (void)alt;
  if (!is_atom(n) && !xmlHasProp(n, (const xmlChar *)"href")) {
    orr_set_first(&e->f[ORR_E_LINK], url_value(st, n, text_of(st, n), ORR_URL_WEB, "link"));
    return;
  }
  rel = attr(n, "rel");
  if (rel == NULL || strcmp(rel, "alternate") == 0) {
    orr_set_first(&e->f[ORR_E_LINK], url_value(st, n, attr(n, "href"), ORR_URL_WEB, "link"));
  } else if (strcmp(rel, "enclosure") == 0) {
    add_enclosure(st, e, n, "href", "length");
  } else if (strcmp(rel, "replies") == 0) {
    orr_set_first(&e->f[ORR_E_COMMENTS], url_value(st, n, attr(n, "href"), ORR_URL_WEB, "comments link"));
  }
  free(rel);
}

/* An RSS item with both <description> and <summary>: the second is its content, as plain
** text (feedparser). */
static void second_summary(parse_state *st, orr_entry *e, xmlNodePtr n) {
  e->f[ORR_E_CONTENT] = html_value(st, n, 0);
  if (e->f[ORR_E_CONTENT]) e->f[ORR_E_CONTENT_TYPE] = strdup("text/plain");
}

static void e_description(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  if (e->f[ORR_E_SUMMARY] && !e->f[ORR_E_CONTENT]) { second_summary(st, e, n); return; }
  orr_set_first(&e->f[ORR_E_SUMMARY], html_value(st, n, 0));
}

static void e_summary(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  char mime[64];
  int mode;
  (void)alt;
  if (e->f[ORR_E_SUMMARY] && !e->f[ORR_E_CONTENT] && (ns_of(n) == NS_NONE || ns_of(n) == NS_RSS)) {
    second_summary(st, e, n);
    return;
  }
  if (e->f[ORR_E_SUMMARY]) return;
  mode = atom_mode(n, mime, sizeof mime);
  e->f[ORR_E_SUMMARY] = html_value(st, n, mode);
  if (e->f[ORR_E_SUMMARY]) e->f[ORR_E_SUMMARY_TYPE] = strdup(mime);
}

static void e_itunes_summary(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)e;
  orr_set_first(&alt->summary, html_value(st, n, 1));
}

static void e_tags(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  char *t = text_of(st, n), *p, *q;
  (void)alt;
  for (p = t; p && *p; p = q) {
    size_t len;
    q = strchr(p, ',');
    len = q ? (size_t)(q - p) : strlen(p);
    while (len && (unsigned char)*p <= ' ') { p++; len--; }
    while (len && (unsigned char)p[len - 1] <= ' ') len--;
    if (len) add_tag(st, e, strndup(p, len));
    q = q ? q + 1 : p + strlen(p);
  }
  free(t);
}

/* Content in one of its forms; the first one given wins. */
static void set_content(parse_state *st, orr_entry *e, xmlNodePtr n, int mode, const char *mime) {
  if (e->f[ORR_E_CONTENT]) return;
  e->f[ORR_E_CONTENT] = html_value(st, n, mode);
  if (e->f[ORR_E_CONTENT]) e->f[ORR_E_CONTENT_TYPE] = strdup(mime);
}

static void e_content(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  char mime[64];
  int mode;
  (void)alt;
  if (e->f[ORR_E_CONTENT]) return;
  mode = atom_mode(n, mime, sizeof mime);
  set_content(st, e, n, mode, mime);
}

static void e_encoded(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  set_content(st, e, n, 0, "text/html");
}

static void e_xhtml_body(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  set_content(st, e, n, 2, "application/xhtml+xml");
}

static int web_address(const char *s) { return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8); }

static void e_id(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  char *id = text_of(st, n);
  if (id && !alt->guid_link && web_address(id))
    alt->guid_link = strdup(id);          /* an id that is a web address stands in for a link */
  orr_set_first(&e->f[ORR_E_ID], id);
}

static void e_guid(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  char *g = text_of(st, n);
  if (g && ns_of(n) != NS_DCE && !attr_is(n, "isPermaLink", "false") && !alt->guid_link)
    alt->guid_link = strdup(g);
  orr_set_first(&e->f[ORR_E_ID], g);
}

static void e_published(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  orr_set_date(text_of(st, n), &e->f[ORR_E_PUBLISHED_TEXT], &e->published, &e->has_published);
}

static void e_updated(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  orr_set_date(text_of(st, n), &e->f[ORR_E_UPDATED_TEXT], &e->updated, &e->has_updated);
}

/* Several Atom authors: the last is the one feedparser reports, with its parts. */
static void e_author(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  orr_person p = { NULL, NULL, NULL };
  char *text = person(st, n, &p);
  (void)alt;
  if (ns_of(n) == NS_ATOM) {
    orr_set_last(&e->f[ORR_E_AUTHOR], text);
    free(e->f[ORR_E_AUTHOR_NAME]); free(e->f[ORR_E_AUTHOR_EMAIL]); free(e->f[ORR_E_AUTHOR_URI]);
    e->f[ORR_E_AUTHOR_NAME] = p.name;
    e->f[ORR_E_AUTHOR_EMAIL] = p.email;
    e->f[ORR_E_AUTHOR_URI] = p.uri;
  } else if (e->f[ORR_E_AUTHOR] == NULL) {
    e->f[ORR_E_AUTHOR] = text;
    e->f[ORR_E_AUTHOR_NAME] = p.name;
    e->f[ORR_E_AUTHOR_EMAIL] = p.email;
    e->f[ORR_E_AUTHOR_URI] = p.uri;
  } else {
    free(text);
    orr_person_free(&p);
  }
}

static void e_creator(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)e;
  orr_set_last(&alt->author, text_of(st, n));   /* the last, as feedparser */
}

static void e_itunes_author(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)e;
  orr_set_first(&alt->author, text_of(st, n));
}

static void e_category(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  char *term = attr(n, "term");
  (void)alt;
  if (term == NULL) term = text_of(st, n);
  if (term == NULL) term = attr(n, "text");      /* itunes:category */
  add_tag(st, e, term);
}

static void e_subject(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  add_tag(st, e, text_of(st, n));
}

static void e_itunes_category(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  xmlNodePtr sub;                          /* text="..." and nested subcategories */
  (void)alt;
  add_tag(st, e, attr(n, "text"));
  for (sub = n->children; sub; sub = sub->next)
    if (sub->type == XML_ELEMENT_NODE && key_of(sub) == K_ITUNES_CATEGORY) add_tag(st, e, attr(sub, "text"));
}

static void e_enclosure(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  add_enclosure(st, e, n, "url", "length");
}

static void e_media_content(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  add_enclosure(st, e, n, "url", "fileSize");
}

static const entry_fn entry_handlers[K_COUNT];

/* <media:group>: its content, title, description and categories, as if given directly. */
static void e_media_group(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  xmlNodePtr m;
  for (m = n->children; m; m = m->next) {
    enum key k;
    if (m->type != XML_ELEMENT_NODE) continue;
    k = key_of(m);
    if (k == K_MEDIA_CONTENT || k == K_MEDIA_TITLE || k == K_ITUNES_SUMMARY || k == K_SUBJECT)
      entry_handlers[k](st, e, m, alt);
  }
}

static void e_comments(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  (void)alt;
  orr_set_first(&e->f[ORR_E_COMMENTS], url_value(st, n, text_of(st, n), ORR_URL_WEB, "comments link"));
}

/* Atom's <source>: the feed an entry was copied from; its author is the entry's when the
** entry names none (RFC 4287 4.2.11). */
static void e_source(parse_state *st, orr_entry *e, xmlNodePtr n, item_alt *alt) {
  xmlNodePtr c;
  (void)alt;
  for (c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && key_of(c) == K_AUTHOR && !e->source_author.name &&
        !e->source_author.email && !e->source_author.uri) {
      char *text = person(st, c, &e->source_author);
      if (text && !e->source_author.name && !e->source_author.email && *text) e->source_author.name = text;
      else free(text);
    }
}

static const entry_fn entry_handlers[K_COUNT] = {
  [K_TITLE] = e_title, [K_MEDIA_TITLE] = e_media_title, [K_LINK] = e_link,
  [K_DESCRIPTION] = e_description, [K_SUMMARY] = e_summary, [K_ITUNES_SUMMARY] = e_itunes_summary,
  [K_TAGS] = e_tags, [K_CONTENT] = e_content, [K_ENCODED] = e_encoded, [K_XHTML_BODY] = e_xhtml_body,
  [K_ID] = e_id, [K_GUID] = e_guid, [K_PUBLISHED] = e_published, [K_PUBDATE] = e_published,
  [K_UPDATED] = e_updated, [K_AUTHOR] = e_author, [K_CREATOR] = e_creator,
  [K_ITUNES_AUTHOR] = e_itunes_author, [K_CATEGORY] = e_category, [K_SUBJECT] = e_subject,
  [K_ITUNES_CATEGORY] = e_itunes_category, [K_ENCLOSURE] = e_enclosure,
  [K_MEDIA_CONTENT] = e_media_content, [K_MEDIA_GROUP] = e_media_group, [K_COMMENTS] = e_comments,
  [K_SOURCE] = e_source,
};

static void parse_entry(parse_state *st, orr_entry *e, xmlNodePtr item) {
  item_alt alt = { NULL, NULL, NULL, NULL };
  xmlNodePtr n;
  st->notes = &e->f[ORR_E_NOTES];
  for (n = item->children; n && !st->oom; n = n->next) {
    entry_fn fn;
    if (n->type == XML_ELEMENT_NODE && (fn = entry_handlers[key_of(n)]) != NULL) fn(st, e, n, &alt);
  }
  orr_set_first(&e->f[ORR_E_AUTHOR], alt.author);
  orr_set_first(&e->f[ORR_E_SUMMARY], alt.summary);
  orr_set_first(&e->f[ORR_E_TITLE], alt.title);
  if (e->f[ORR_E_LINK] == NULL && alt.guid_link && strstr(alt.guid_link, "://"))
    e->f[ORR_E_LINK] = url_value(st, item, alt.guid_link, ORR_URL_WEB, "link (the permalink guid)");
  else
    free(alt.guid_link);
  if (e->f[ORR_E_ID] == NULL) {           /* RSS 1.0 items carry their identity in rdf:about */
    xmlChar *about = xmlGetNsProp(item, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
    if (about) { e->f[ORR_E_ID] = strdup((const char *)about); xmlFree(about); }
  }
}

/* An item inside an item (a template that never closed one) is an entry too, after the one
** around it, as feedparser reads it; the one around it keeps only its own elements.  Nested
** at most this deep (each level is a C call). */
#define NESTED_ITEMS 8

static void entry_at(parse_state *st, orr_feed *f, xmlNodePtr item, int depth) {
  orr_entry *e = orr_feed_add_entry(f);
  xmlNodePtr n;
  if (e == NULL) { st->oom = 1; return; }
  parse_entry(st, e, item);
  if (depth >= NESTED_ITEMS) return;
  for (n = item->children; n && !st->oom; n = n->next)
    if (n->type == XML_ELEMENT_NODE && key_of(n) == K_ITEM) entry_at(st, f, n, depth + 1);
}

static void new_entry(parse_state *st, orr_feed *f, xmlNodePtr item) {
  char **notes = st->notes;
  entry_at(st, f, item, 0);
  st->notes = notes;
}
/* }====== */

/* {====== The feed: one handler per key ====== */
typedef struct feed_alt { char *author, *subtitle; } feed_alt;
typedef void (*feed_fn)(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt);

static void f_item(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  new_entry(st, f, n);
}

static void f_title(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  orr_set_first(&f->f[ORR_F_TITLE], title_value(st, n));
}

static void f_link(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  if (is_atom(n) || xmlHasProp(n, (const xmlChar *)"href")) {
    char *rel = attr(n, "rel");
    if (rel == NULL || strcmp(rel, "alternate") == 0)
      orr_set_first(&f->f[ORR_F_LINK], url_value(st, n, attr(n, "href"), ORR_URL_WEB, "site link"));
    free(rel);
  } else {
    orr_set_first(&f->f[ORR_F_LINK], url_value(st, n, text_of(st, n), ORR_URL_WEB, "site link"));
  }
}

static void f_description(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  char *v = html_value(st, n, 0);
  (void)alt;
  /* <description/>: the channel has a description, and it is empty */
  if (v == NULL && !st->oom && n->children == NULL) v = strdup("");
  orr_set_first(&f->f[ORR_F_SUBTITLE], v);
}

static void f_subtitle(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  char mime[64];
  int mode = atom_mode(n, mime, sizeof mime);
  (void)alt;
  if (f->f[ORR_F_SUBTITLE]) return;
  f->f[ORR_F_SUBTITLE] = html_value(st, n, mode);
  if (f->f[ORR_F_SUBTITLE]) f->f[ORR_F_SUBTITLE_TYPE] = strdup(mime);
}

static void f_updated(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  orr_set_date(text_of(st, n), &f->f[ORR_F_UPDATED_TEXT], &f->updated, &f->has_updated);
}

static void f_author(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  orr_person p = { NULL, NULL, NULL };
  char *text = person(st, n, &p);
  (void)alt;
  if (ns_of(n) != NS_ATOM && f->f[ORR_F_AUTHOR]) { free(text); orr_person_free(&p); return; }
  orr_set_last(&f->f[ORR_F_AUTHOR], text);
  free(f->f[ORR_F_AUTHOR_NAME]); free(f->f[ORR_F_AUTHOR_EMAIL]); free(f->f[ORR_F_AUTHOR_URI]);
  f->f[ORR_F_AUTHOR_NAME] = p.name;
  f->f[ORR_F_AUTHOR_EMAIL] = p.email;
  f->f[ORR_F_AUTHOR_URI] = p.uri;
}

/* The owner's name (feedparser's publisher), else email. */
static void f_itunes_owner(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  xmlNodePtr c;
  char *name = NULL, *email = NULL;
  (void)f;
  for (c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is(c, "name")) orr_set_first(&name, text_of(st, c));
    else if (is(c, "email")) orr_set_first(&email, text_of(st, c));
  }
  if (name) { free(email); orr_set_first(&alt->author, name); }
  else orr_set_first(&alt->author, email);
}

static void f_itunes_subtitle(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)f;
  orr_set_first(&alt->subtitle, html_value(st, n, 1));
}

static void f_creator(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)f;
  orr_set_first(&alt->author, text_of(st, n));
}

static void f_language(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  orr_set_first(&f->f[ORR_F_LANGUAGE], text_of(st, n));
}

static void f_id(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  orr_set_first(&f->f[ORR_F_ID], text_of(st, n));
}

static void f_icon(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  orr_set_first(&f->f[ORR_F_ICON], url_value(st, n, text_of(st, n), ORR_URL_WEB, "icon"));
}

static void f_image(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  xmlNodePtr c;
  (void)alt;
  for (c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && is(c, "url"))
      orr_set_first(&f->f[ORR_F_ICON], url_value(st, c, text_of(st, c), ORR_URL_WEB, "image"));
}

static void f_rights(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  orr_set_first(&f->f[ORR_F_RIGHTS], text_of(st, n));
}

static void f_generator(parse_state *st, orr_feed *f, xmlNodePtr n, feed_alt *alt) {
  (void)alt;
  orr_set_first(&f->f[ORR_F_GENERATOR], text_of(st, n));
}

static const feed_fn feed_handlers[K_COUNT] = {
  [K_ITEM] = f_item, [K_TITLE] = f_title, [K_LINK] = f_link, [K_DESCRIPTION] = f_description,
  [K_SUBTITLE] = f_subtitle, [K_UPDATED] = f_updated, [K_AUTHOR] = f_author,
  [K_ITUNES_OWNER] = f_itunes_owner, [K_ITUNES_SUBTITLE] = f_itunes_subtitle,
  [K_CREATOR] = f_creator, [K_ITUNES_AUTHOR] = f_creator, [K_LANGUAGE] = f_language, [K_ID] = f_id,
  [K_ICON] = f_icon, [K_IMAGE] = f_image, [K_RIGHTS] = f_rights, [K_GENERATOR] = f_generator,
};

/* The children of a channel/feed element; items found here or (RSS 1.0) beside it. */
static void parse_channel(parse_state *st, orr_feed *f, xmlNodePtr ch) {
  feed_alt alt = { NULL, NULL };
  xmlNodePtr n;
  st->notes = &f->f[ORR_F_NOTES];
  for (n = ch->children; n && !st->oom; n = n->next) {
    feed_fn fn;
    if (n->type == XML_ELEMENT_NODE && (fn = feed_handlers[key_of(n)]) != NULL) fn(st, f, n, &alt);
  }
  orr_set_first(&f->f[ORR_F_AUTHOR], alt.author);
  orr_set_first(&f->f[ORR_F_SUBTITLE], alt.subtitle);
  if (f->f[ORR_F_LINK] == NULL && f->f[ORR_F_ID] &&
      (!strncmp(f->f[ORR_F_ID], "http://", 7) || !strncmp(f->f[ORR_F_ID], "https://", 8)))
    f->f[ORR_F_LINK] = url_value(st, ch, strdup(f->f[ORR_F_ID]), ORR_URL_WEB, "site link (the feed's id)");
  if (f->f[ORR_F_LANGUAGE] == NULL) {
    xmlChar *lang = xmlNodeGetLang(ch);
    if (lang) { f->f[ORR_F_LANGUAGE] = strdup((const char *)lang); xmlFree(lang); }
  }
  if (f->f[ORR_F_LANGUAGE]) {                    /* "en_US" is meant as the tag "en-US" */
    char *p;
    for (p = f->f[ORR_F_LANGUAGE]; *p; p++) if (*p == '_') *p = '-';
  }
}
/* }====== */

/* Microsoft's Channel Definition Format (1997): <CHANNEL HREF= LASTMOD= BASE=> with TITLE,
** ABSTRACT and ITEMs of the same shape.  BASE is the base of the channel's relative HREFs. */
static char *cdf_href(parse_state *st, xmlNodePtr n, const char *base) {
  return orr_url_take(attr(n, "HREF"), base, ORR_URL_WEB, st->notes, "link", &st->oom);
}

static void parse_cdf_item(parse_state *st, orr_feed *f, xmlNodePtr n, const char *base) {
  orr_entry *e = orr_feed_add_entry(f);
  xmlNodePtr c;
  if (e == NULL) { st->oom = 1; return; }
  st->notes = &e->f[ORR_E_NOTES];
  e->f[ORR_E_LINK] = cdf_href(st, n, base);
  orr_set_date(attr(n, "LASTMOD"), &e->f[ORR_E_UPDATED_TEXT], &e->updated, &e->has_updated);
  for (c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is(c, "TITLE")) orr_set_first(&e->f[ORR_E_TITLE], title_value(st, c));
    else if (is(c, "ABSTRACT")) orr_set_first(&e->f[ORR_E_SUMMARY], html_value(st, c, 0));
  }
  st->notes = &f->f[ORR_F_NOTES];
}

static void parse_cdf(parse_state *st, orr_feed *f, xmlNodePtr ch) {
  char *own = attr(ch, "BASE"), *base;
  xmlNodePtr n;
  base = own ? orr_url_resolve(own, st->opts->url) : (st->opts->url ? strdup(st->opts->url) : NULL);
  free(own);
  st->notes = &f->f[ORR_F_NOTES];
  f->f[ORR_F_LINK] = cdf_href(st, ch, base);
  orr_set_date(attr(ch, "LASTMOD"), &f->f[ORR_F_UPDATED_TEXT], &f->updated, &f->has_updated);
  for (n = ch->children; n && !st->oom; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (is(n, "TITLE")) orr_set_first(&f->f[ORR_F_TITLE], title_value(st, n));
    else if (is(n, "ABSTRACT")) orr_set_first(&f->f[ORR_F_SUBTITLE], html_value(st, n, 0));
    else if (is(n, "ITEM")) parse_cdf_item(st, f, n, base);
  }
  free(base);
}

static const char *rss_format(xmlNodePtr root, xmlDocPtr doc) {
  xmlChar *v = xmlGetNoNsProp(root, (const xmlChar *)"version");
  const char *fmt = "rss";
  if (v) {
    const char *s = (const char *)v;
    if (strncmp(s, "2.", 2) == 0) fmt = "rss20";
    else if (strcmp(s, "0.91") == 0) {
      fmt = "rss091u";
      if (doc->intSubset && doc->intSubset->ExternalID &&
          strstr((const char *)doc->intSubset->ExternalID, "Netscape"))
        fmt = "rss091n";
    }
    else if (strcmp(s, "0.92") == 0) fmt = "rss092";
    else if (strcmp(s, "0.93") == 0) fmt = "rss093";
    else if (strcmp(s, "0.94") == 0) fmt = "rss094";
    else if (strcmp(s, "0.90") == 0) fmt = "rss090";
    xmlFree(v);
  }
  return fmt;
}

/* {====== The document ====== */

/* An HTML page where a feed was expected: "<html" or "<!doctype html" near the start. */
static int html_page(const char *d, size_t len) {
  size_t i, n = len < 4096 ? len : 4096;
  for (i = 0; i + 5 <= n; i++)
    if (d[i] == '<' && (strncasecmp(d + i, "<html", 5) == 0 ||
                        (i + 14 <= n && strncasecmp(d + i, "<!doctype html", 14) == 0)))
      return 1;
  return 0;
}

static int blank(const char *d, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) if (!strchr(" \t\r\n", d[i])) return 0;
  return 1;
}

static void fail(char *err, size_t errlen, const char *fmt, const char *detail) {
  if (err && errlen) {
    snprintf(err, errlen, fmt, detail ? detail : "");
    orr_utf8_uncut(err);                       /* (libxml2's message may name the text) */
  }
}

/* libxml2's message, trimmed, with its line. */
static void xml_error(char *dst, size_t len, xmlParserCtxtPtr ctxt) {
  const xmlError *e = xmlCtxtGetLastError(ctxt);
  size_t n;
  if (e == NULL || e->message == NULL) { snprintf(dst, len, "not well-formed"); return; }
  snprintf(dst, len, "line %d: %s", e->line, e->message);
  n = strlen(dst);
  while (n && (dst[n - 1] == '\n' || dst[n - 1] == ' ')) dst[--n] = '\0';
}

/* NONET: no network; no NOENT/DTDLOAD/DTDATTR: no entity substitution, no external DTD;
** RECOVER: keep what can be kept of an ill-formed document (flagged as bozo). */
#define XML_OPTIONS (XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
                     XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

/* <feed>: Atom 1.0, 0.3, or a <feed> in a namespace of its own (read as Atom 0.3; one that
** declares Atom 1.0's namespace with a prefix is Atom 1.0). */
static const char *atom_format(xmlNodePtr root, xmlDocPtr doc) {
  enum ns ns = ns_of(root);
  xmlChar *v = xmlGetNoNsProp(root, (const xmlChar *)"version");
  const char *fmt = "atom";
  xmlNsPtr d;
  if (ns == NS_ATOM) fmt = "atom10";
  else if (ns == NS_A03) fmt = v && xmlStrcmp(v, (const xmlChar *)"0.3") == 0 ? "atom03" : "atom";
  else {
    for (d = root->nsDef; d; d = d->next)
      if (d->href && strcmp((const char *)d->href, NS_ATOM10) == 0) fmt = "atom10";
    if (v && xmlStrcmp(v, (const xmlChar *)"0.3") == 0) fmt = "atom03";
    if (root->ns && root->ns->href) doc->_private = (void *)root->ns->href;
  }
  xmlFree(v);
  return fmt;
}

static void read_rdf(parse_state *st, orr_feed *f, xmlNodePtr root) {
  xmlNsPtr d;
  xmlNodePtr n;
  f->format = "rss10";
  for (d = root->nsDef; d; d = d->next)   /* RSS 0.90 by its namespace, even with no items */
    if (d->href && strcmp((const char *)d->href, NS_RSS090) == 0) f->format = "rss090";
  for (n = root->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (ns_of(n) == NS_RSS && n->ns && strcmp((const char *)n->ns->href, NS_RSS090) == 0)
      f->format = "rss090";
    if (is(n, "channel")) parse_channel(st, f, n);
    else if (is(n, "item")) new_entry(st, f, n);
  }
}

/* Items in no place a format gives them (<channel><items><item>, an <entry> inside an
** unknown wrapper), read when the usual places held none: feedparser reads an item
** wherever it stands, and so do readers built on it.  Not inside an item found. */
static void nested_items(parse_state *st, orr_feed *f, xmlNodePtr root) {
  xmlNodePtr n = root->children;
  while (n && !st->oom) {
    if (n->type == XML_ELEMENT_NODE && key_of(n) == K_ITEM) {
      new_entry(st, f, n);
    } else if (n->type == XML_ELEMENT_NODE && n->children) {
      n = n->children;
      continue;
    }
    while (n != root && n->next == NULL) n = n->parent;
    if (n == root) break;
    n = n->next;
  }
}

/* Read the document under root into f by its format; 0 when root is no feed (err set). */
static int read_root(parse_state *st, orr_feed *f, xmlNodePtr root, const char *input, size_t input_len,
                     char *err, size_t errlen) {
  xmlNodePtr n;
  if (xmlStrcasecmp(root->name, (const xmlChar *)"rss") == 0 || (is(root, "channel") && ns_of(root) == NS_NONE)) {
    f->format = is(root, "channel") ? "rss" : rss_format(root, st->doc);
    for (n = root->children; n; n = n->next)      /* (<CHANNEL> in an <RSS>, as feedparser reads it) */
      if (n->type == XML_ELEMENT_NODE && (is(n, "channel") || key_of(n) == K_CHANNEL)) parse_channel(st, f, n);
      else if (n->type == XML_ELEMENT_NODE && key_of(n) == K_ITEM) new_entry(st, f, n);   /* <item> without <channel> */
    if (is(root, "channel")) parse_channel(st, f, root);
    if (f->nentries == 0) nested_items(st, f, root);
  } else if (is(root, "RDF")) {
    read_rdf(st, f, root);
    if (f->nentries == 0) nested_items(st, f, root);
  } else if (is(root, "feed")) {
    f->format = atom_format(root, st->doc);
    parse_channel(st, f, root);
    if (f->nentries == 0) nested_items(st, f, root);
    st->doc->_private = NULL;
  } else if (is(root, "CHANNEL")) {
    f->format = "cdf";
    parse_cdf(st, f, root);
  } else if (is(root, "urlset") || is(root, "sitemapindex")) {
    fail(err, errlen, "not a feed: a sitemap (<%s>), which lists pages, not entries", (const char *)root->name);
    return 0;
  } else if (xmlStrcasecmp(root->name, (const xmlChar *)"html") == 0 || html_page(input, input_len)) {
    fail(err, errlen, "not a feed: an HTML page%s", NULL);
    return 0;
  } else {
    char name[104];
    snprintf(name, sizeof name, "%.100s", (const char *)root->name);
    orr_utf8_uncut(name);
    fail(err, errlen, "not a feed: unknown root element <%s>", name);
    return 0;
  }
  return 1;
}

/* {------ Items the recovery lost ------
** libxml2's recovery keeps an unclosed element open to the end: an item whose description
** has a raw "<b>" swallows every item after it.  When the document was ill-formed and holds
** more item start tags than entries came out, each item is read again on its own, as a
** small document made of the root's start tag (its namespaces), the item, and the closing
** tags: a broken item then costs only its own tail. */

/* The end of the markup at p ('<'): past its '>' with quoted values skipped, or of a
** comment, CDATA section or PI.  One that never ends (the broken item's own fault) ends
** right after its opener, or at the next '>' for a quote never closed: the items after it
** are still found.  unclosed[k] (NULL at first) remembers where a search for the closer
** of kind k (comment, CDATA, PI) last came up empty: none is after it, and an opener
** after it is not searched again (10,000 "<![CDATA[" without one read the rest of the
** document each: 280 s for a megabyte). */
static const char *markup_end(const char *p, const char *end, const char **unclosed) {
  const char *close = NULL, *q;
  size_t k;
  int kind = -1;
  if (end - p >= 4 && !memcmp(p, "<!--", 4)) close = "-->", kind = 0;
  else if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) close = "]]>", kind = 1;
  else if (end - p >= 2 && p[1] == '?') close = "?>", kind = 2;
  if (close) {
    k = strlen(close);
    if (unclosed[kind] == NULL || p < unclosed[kind])
      for (q = p + 2; q + k <= end && (q = memchr(q, close[0], (size_t)(end - q))) != NULL && q + k <= end; q++)
        if (!memcmp(q, close, k)) return q + k;
    unclosed[kind] = p;
    return p + (kind == 1 ? 9 : 2);
  }
  for (q = p + 1; q < end; q++) {
    if (*q == '"' || *q == '\'') {
      const char *r = memchr(q + 1, *q, (size_t)(end - q - 1));
      if (r == NULL) {
        r = memchr(q + 1, '>', (size_t)(end - q - 1));
        return r ? r + 1 : end;
      }
      q = r;
    } else if (*q == '>') {
      return q + 1;
    }
  }
  return end;
}

static int tag_is(const char *p, const char *end, const char *name, int closing) {
  size_t n = strlen(name);
  p += closing ? 2 : 1;
  return end - p > (ptrdiff_t)n && !memcmp(p, name, n) &&
         (p[n] == '>' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n' || p[n] == '\r' || (!closing && p[n] == '/'));
}

typedef struct span { const char *start, *end; } span;

/* The root's start tag and the spans of the items (elements named item), in document
** order; returns how many items (at most max), 0 if the root cannot be found. */
static size_t item_spans(const char *d, size_t len, const char *item, span *root, span *items, size_t max) {
  const char *p = d, *end = d + len, *open = NULL, *unclosed[3] = { NULL, NULL, NULL };
  size_t n = 0;
  root->start = root->end = NULL;
  while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
    const char *e = markup_end(p, end, unclosed);
    if (root->start == NULL) {
      if (p + 1 < end && p[1] != '!' && p[1] != '?' && p[1] != '/') { root->start = p; root->end = e; }
    } else if (p + 1 < end && p[1] != '!' && p[1] != '?') {
      int is_start = tag_is(p, end, item, 0), is_end = p[1] == '/' && tag_is(p, end, item, 1);
      if ((is_start || is_end) && open && n < max) {        /* the item before ends here */
        items[n].start = open;
        items[n].end = is_end ? e : p;
        n++;
        open = NULL;
      }
      if (is_start) open = p;
    }
    p = e;
  }
  if (open && n < max) { items[n].start = open; items[n].end = end; n++; }
  return root->start ? n : 0;
}

/* The element name of a start tag (its qualified name) into buf. */
static void tag_name(const span *s, char *buf, size_t n) {
  size_t i = 0;
  const char *p = s->start + 1;
  while (p < s->end && i + 1 < n && !strchr(" \t\r\n/>", *p)) buf[i++] = *p++;
  buf[i] = '\0';
}

static void read_item_alone(parse_state *st, orr_feed *f, const char *d, const span *root, const span *item,
                            int rss, const char *encoding) {
  orr_buf b;
  char name[128];
  xmlDocPtr doc;
  xmlNodePtr n;
  orr_buf_init(&b);
  tag_name(root, name, sizeof name);
  orr_buf_add(&b, d, (size_t)(root->end - d));      /* the prolog (its encoding) and the root */
  if (rss) orr_buf_adds(&b, "<channel>");
  orr_buf_add(&b, item->start, (size_t)(item->end - item->start));
  if (rss) orr_buf_adds(&b, "</channel>");
  orr_buf_adds(&b, "</");
  orr_buf_adds(&b, name);
  orr_buf_addc(&b, '>');
  if (!orr_buf_ok(&b)) { st->oom = 1; orr_buf_free(&b); return; }
  doc = xmlReadMemory(b.data, (int)b.len, st->opts->url, encoding, XML_OPTIONS);
  orr_buf_free(&b);
  if (!orr_xml_input_restore(st->in, doc)) st->oom = 1;
  n = doc ? xmlDocGetRootElement(doc) : NULL;
  if (n && is(n, "feed")) atom_format(n, doc);     /* (Atom 0.3 in a namespace of its own) */
  if (n && rss) for (n = n->children; n && !(n->type == XML_ELEMENT_NODE && is(n, "channel")); n = n->next) {}
  for (n = n ? n->children : NULL; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && key_of(n) == K_ITEM) {
      xmlDocPtr keep = st->doc;
      st->doc = doc;
      new_entry(st, f, n);
      st->doc = keep;
      break;
    }
  if (doc) doc->_private = NULL;
  xmlFreeDoc(doc);
}

/* Read f's items again one by one when that finds more of them. */
static void reread_items(parse_state *st, orr_feed *f, const char *d, size_t len, const char *encoding) {
  const char *item = strncmp(f->format, "atom", 4) == 0 ? "entry" : "item";
  int rss = strncmp(f->format, "rss", 3) == 0 && strcmp(f->format, "rss10") != 0 && strcmp(f->format, "rss090") != 0;
  size_t max = f->nentries + 1 + len / 64, n, i, old, old_left = f->entries_left;
  span root, *items = malloc(max * sizeof *items);
  if (items == NULL) { st->oom = 1; return; }
  n = item_spans(d, len, item, &root, items, max);
  old = f->nentries;
  if (n > old) {
    orr_entry *keep = f->entries;
    size_t cap = f->capentries;
    f->entries = NULL;
    f->nentries = f->capentries = f->entries_left = 0;
    for (i = 0; i < n && !st->oom; i++) read_item_alone(st, f, d, &root, &items[i], rss, encoding);
    if (f->nentries + f->entries_left > old + old_left && !st->oom) {
      orr_feed tmp;                       /* the new list stays; the old one goes */
      memset(&tmp, 0, sizeof tmp);
      tmp.entries = keep; tmp.nentries = old; tmp.capentries = cap;
      orr_feed_free_entries(&tmp);
    } else {
      orr_feed_free_entries(f);
      f->entries = keep; f->nentries = old; f->capentries = cap; f->entries_left = old_left;
    }
  }
  free(items);
}
/* }------ */

static orr_feed *parse_xml(const char *input, size_t input_len, const orr_feed_opts *opts,
                           char *err, size_t errlen) {
  orr_xml_input in;
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc = NULL;
  xmlNodePtr root;
  orr_feed *f = NULL;
  parse_state st;
  char msg[256];
  if (!orr_xml_input_prepare(&in, input, input_len, opts->encoding) || (ctxt = xmlNewParserCtxt()) == NULL) {
    orr_xml_input_free(&in);
    fail(err, errlen, "out of memory%s", NULL);
    return NULL;
  }
  if (in.elements > ORR_MAX_ELEMENTS) {     /* (a feed has a few thousand) */
    fail(err, errlen, "not read: more than 500,000 elements%s", NULL);
    goto done;
  }
  if (opts->plain) orr_xml_input_plain(&in);
  doc = xmlCtxtReadMemory(ctxt, in.data, (int)in.len, opts->url, in.encoding, XML_OPTIONS);
  if (doc == NULL || !ctxt->wellFormed) {
    /* a document libxml2 must recover is read once more: as it came (text set aside is for
    ** documents read without an error, so that the recovery is all libxml2's own), and with
    ** each '<' that is text ("a < b") written as &lt;, which libxml2 would drop (well-formed
    ** documents never pay for either) */
    int plain = orr_xml_input_plain(&in), lt = orr_xml_input_bare_lt(&in);
    if (plain || lt) {
      xmlFreeDoc(doc);
      doc = xmlCtxtReadMemory(ctxt, in.data, (int)in.len, opts->url, in.encoding, XML_OPTIONS);
    }
  }
  if (!orr_xml_input_restore(&in, doc)) {
    fail(err, errlen, "out of memory%s", NULL);
    goto done;
  }
  root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (root == NULL) {
    xml_error(msg, sizeof msg, ctxt);
    if (html_page(input, input_len)) fail(err, errlen, "not a feed: an HTML page%s", NULL);
    else if (blank(input, input_len)) fail(err, errlen, "not a feed: an empty document%s", input_len ? " (only whitespace)" : "");
    else fail(err, errlen, "not a feed: %s", msg);
    goto done;
  }
  if ((f = orr_feed_new()) == NULL) { fail(err, errlen, "out of memory%s", NULL); goto done; }
  if (!ctxt->wellFormed) {
    xml_error(msg, sizeof msg, ctxt);
    f->bozo = 1;
    f->bozo_message = strdup(msg);
  } else if (in.note[0]) {
    f->bozo = 1;
    f->bozo_message = strdup(in.note);
  }
  memset(&st, 0, sizeof st);
  st.doc = doc;
  st.opts = opts;
  st.notes = &f->f[ORR_F_NOTES];
  st.in = &in;
  if (!read_root(&st, f, root, input, input_len, err, errlen)) { orr_feed_free(f); f = NULL; goto done; }
  if (!ctxt->wellFormed && strcmp(f->format, "cdf") != 0) reread_items(&st, f, in.data, in.len, in.encoding);
  if (st.oom || !orr_feed_finish(f, ctxt->wellFormed && !st.raw)) {
    fail(err, errlen, "out of memory%s", NULL);
    orr_feed_free(f);
    f = NULL;
  }
done:
  xmlFreeDoc(doc);
  xmlFreeParserCtxt(ctxt);
  orr_xml_input_free(&in);
  return f;
}

/* Where a feed starts after text that is none of it, or NULL: the first "<?xml" (which XML
** allows nowhere but at the start), else the first <rss, <feed or <rdf:RDF start tag, in the
** first JUNK_MAX bytes after `from`.  A server's error message printed before the feed (PHP's
** "<br /><b>Warning</b>: Cannot modify header information ..." above a WordPress feed) made
** the whole feed unreadable; feedparser's loose parser reads past it. */
#define JUNK_MAX 65536
/* The first s (n bytes) in [p, end), or NULL. */
static const char *find_str(const char *p, const char *end, const char *s, size_t n) {
  while ((p = memchr(p, s[0], (size_t)(end - p))) != NULL && (size_t)(end - p) >= n) {
    if (!memcmp(p, s, n)) return p;
    p++;
  }
  return NULL;
}

static const char *after_junk(const char *d, size_t len, size_t from) {
  static const char *const starts[] = { "<?xml", "<rss", "<feed", "<rdf:RDF" };
  const char *end = d + (len - from > JUNK_MAX ? from + JUNK_MAX : len);
  size_t k;
  for (k = 0; k < sizeof starts / sizeof *starts; k++) {
    size_t n = strlen(starts[k]);
    const char *p = d + from;
    while ((p = find_str(p, end, starts[k], n)) != NULL && end - p > (ptrdiff_t)n) {
      if (k == 0 || strchr(" \t\r\n>", p[n])) return p;
      p++;
    }
  }
  return NULL;
}

/* The same for a JSON Feed: a '{' that opens an object ('{' and then '"') and holds one, in
** the first JUNK_MAX bytes after `from`; the first JSON_TRIES of them are tried.  When none
** holds a feed, err has what was wrong with the first, if it names jsonfeed.org (else empty). */
#define JSON_TRIES 4
static orr_feed *json_after_junk(const char *d, size_t len, size_t from, const orr_feed_opts *opts,
                                 const char **start, char *err, size_t errlen) {
  const char *p = d + from, *end = d + (len - from > JUNK_MAX ? from + JUNK_MAX : len);
  int tries = 0;
  char e[256];
  err[0] = '\0';
  while (tries < JSON_TRIES && (p = memchr(p, '{', (size_t)(end - p))) != NULL) {
    const char *q = p + 1;
    orr_feed *f;
    while (q < d + len && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')) q++;
    if (q < d + len && *q == '"') {
      if ((f = orr_jsonfeed_parse(p, len - (size_t)(p - d), opts, e, sizeof e)) != NULL) {
        *start = p;
        return f;
      }
      if (tries++ == 0 && find_str(p, d + len, "jsonfeed.org/version", 20))   /* one meant as a feed */
        snprintf(err, errlen, "%s (after %zu bytes of other text)", e, (size_t)(p - d));
    }
    p++;
  }
  return NULL;
}

orr_feed *orr_feed_parse(const char *data, size_t len, const orr_feed_opts *opts, char *err, size_t errlen) {
  size_t i = (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) ? 3 : 0;
  const char *start;
  orr_feed *f;
  if (len > (size_t)0x7fffffff) { fail(err, errlen, "document too large%s", NULL); return NULL; }
  while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t')) i++;
  if (i < len && data[i] == '{') return orr_jsonfeed_parse(data + i, len - i, opts, err, errlen);
  f = parse_xml(data, len, opts, err, errlen);
  /* not a feed from its first byte, but one after some text: read from there, flagged */
  if (f == NULL && err && !strncmp(err, "not a feed: ", 12) && strncmp(err, "not a feed: an ", 15)) {
    char err2[320], junk[48], msg[160];
    size_t n, k;
    if ((start = after_junk(data, len, i + 1)) != NULL)
      f = parse_xml(start, len - (size_t)(start - data), opts, err2, sizeof err2);
    else if ((f = json_after_junk(data, len, i + 1, opts, &start, err2, sizeof err2)) == NULL && err2[0])
      fail(err, errlen, "%s", err2);               /* a JSON document after a message: its error */
    if (f == NULL) return NULL;                    /* (else the first error stands) */
    n = (size_t)(start - data) - i;
    for (k = 0; k < sizeof junk - 1 && k < n; k++)  /* what it began with, on one line */
      junk[k] = (char)((unsigned char)data[i + k] < 0x20 ? ' ' : data[i + k]);
    junk[k] = '\0';
    orr_utf8_uncut(junk);
    orr_utf8_scrub(junk);                          /* (whatever bytes a server sent) */
    snprintf(msg, sizeof msg, "%zu bytes before the feed skipped (a server's message?): \"%s%s\"", n, junk,
             n > k ? "..." : "");
    f->bozo = 1;
    free(f->bozo_message);
    if ((f->bozo_message = strdup(msg)) == NULL || !orr_note(&f->f[ORR_F_NOTES], "%s", msg)) {
      orr_feed_free(f);
      fail(err, errlen, "out of memory%s", NULL);
      return NULL;
    }
  }
  return f;
}
/* }====== */
