/*
** feed.c — feed documents to orr_feed (see feed.h).
**
** One DOM parse (libxml2, recover mode), then one walk: each element is classified once by
** (namespace, local name) into a small key, and the key decides where its value goes.
** Unknown elements are skipped.  RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 share the walk: an
** RSS <description> and an Atom <summary> both land in ORR_E_SUMMARY.  HTML fields are
** sanitized here (when asked) so that every consumer gets safe HTML by default; plain-text
** fields become HTML by escaping, and their original type is kept in content_type.
*/
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "buf.h"
#include "date.h"
#include "feed.h"
#include "html.h"

const char *const orr_entry_field_names[ORR_E_NFIELDS] = {
  "id", "title", "link", "author", "summary", "content", "content_type",
  "published_text", "updated_text", "comments", "summary_type"
};
const char *const orr_feed_field_names[ORR_F_NFIELDS] = {
  "title", "link", "subtitle", "author", "language", "id", "updated_text", "icon",
  "rights", "generator", "subtitle_type"
};

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
          NS_OTHER };

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

/* What an element means, independent of the format it came from. */
enum key {
  K_NONE, K_TITLE, K_LINK, K_DESCRIPTION, K_SUMMARY, K_CONTENT, K_ENCODED, K_XHTML_BODY,
  K_ID, K_GUID, K_PUBLISHED, K_UPDATED, K_AUTHOR, K_CREATOR, K_CATEGORY, K_SUBJECT,
  K_ENCLOSURE, K_LANGUAGE, K_SUBTITLE, K_ITEM, K_CHANNEL, K_ICON, K_IMAGE, K_RIGHTS,
  K_GENERATOR, K_COMMENTS, K_ITUNES_AUTHOR, K_ITUNES_SUMMARY, K_ITUNES_OWNER,
  K_ITUNES_SUBTITLE, K_ITUNES_CATEGORY, K_MEDIA_CONTENT,
  K_MEDIA_GROUP, K_LASTBUILD, K_PUBDATE_FEED, K_MEDIA_TITLE, K_TAGS
};

static int is(xmlNodePtr n, const char *name) { return strcmp((const char *)n->name, name) == 0; }

static enum key key_of(xmlNodePtr n, int in_feed_level) {
  enum ns ns = ns_of(n);
  switch (ns) {
    case NS_NONE:
    case NS_RSS: {
      /* un-namespaced names are matched without regard to case (<TiTlE>), as feedparser
      ** does: the name is lower-cased once, then compared with lower-case names */
      char low[16];
      const char *nm = (const char *)n->name;
      size_t i;
      for (i = 0; nm[i] && i < sizeof low - 1; i++) low[i] = (char)(nm[i] >= 'A' && nm[i] <= 'Z' ? nm[i] + 32 : nm[i]);
      if (nm[i]) return K_NONE;                 /* longer than any name below */
      low[i] = '\0';
#define is(n, name) (strcmp(low, name) == 0)
      if (is(n, "title")) return K_TITLE;
      if (is(n, "link")) return K_LINK;
      if (is(n, "description")) return K_DESCRIPTION;
      if (is(n, "guid")) return K_GUID;
      if (is(n, "pubdate")) return in_feed_level ? K_PUBDATE_FEED : K_PUBLISHED;
      if (is(n, "lastbuilddate")) return K_LASTBUILD;
      if (is(n, "author") || is(n, "managingeditor")) return K_AUTHOR;
      if (is(n, "category")) return K_CATEGORY;
      if (is(n, "enclosure")) return K_ENCLOSURE;
      if (is(n, "language")) return K_LANGUAGE;
      if (is(n, "item")) return K_ITEM;
      if (is(n, "channel")) return K_CHANNEL;
      if (is(n, "image")) return K_IMAGE;
      if (is(n, "copyright")) return K_RIGHTS;
      if (is(n, "generator")) return K_GENERATOR;
      if (is(n, "comments")) return K_COMMENTS;
      if (is(n, "body")) return K_XHTML_BODY;        /* an XHTML body without its namespace */
      /* Atom elements without the Atom namespace (<feed> with no xmlns) */
      if (is(n, "entry")) return K_ITEM;
      if (is(n, "id")) return K_ID;
      if (is(n, "summary")) return K_SUMMARY;
      if (is(n, "content")) return K_CONTENT;
      if (is(n, "updated") || is(n, "modified")) return K_UPDATED;
      if (is(n, "published") || is(n, "issued")) return K_PUBLISHED;
      if (is(n, "subtitle") || is(n, "tagline")) return K_SUBTITLE;
      if (is(n, "fullitem")) return K_ENCODED;       /* an old RSS 0.9x module */
      if (is(n, "tags")) return K_TAGS;              /* made up, but common: "a, b, c" */
      return K_NONE;
#undef is
    }
    case NS_ATOM:
    case NS_A03:
      if (is(n, "title")) return K_TITLE;
      if (is(n, "link")) return K_LINK;
      if (is(n, "summary")) return K_SUMMARY;
      if (is(n, "content")) return K_CONTENT;
      if (is(n, "id")) return K_ID;
      if (is(n, "published") || is(n, "issued")) return K_PUBLISHED;
      if (is(n, "updated") || is(n, "modified")) return K_UPDATED;
      if (is(n, "author")) return K_AUTHOR;
      if (is(n, "category")) return K_CATEGORY;
      if (is(n, "subtitle") || is(n, "tagline")) return K_SUBTITLE;
      if (is(n, "entry") || is(n, "item")) return K_ITEM;
      if (is(n, "icon") || is(n, "logo")) return K_ICON;
      if (is(n, "rights") || is(n, "copyright")) return K_RIGHTS;
      if (is(n, "generator")) return K_GENERATOR;
      return K_NONE;
    case NS_DCE:
      if (is(n, "title")) return K_TITLE;
      if (is(n, "description")) return K_DESCRIPTION;
      if (is(n, "date")) return K_UPDATED;
      if (is(n, "creator") || is(n, "author")) return K_CREATOR;
      if (is(n, "subject")) return K_SUBJECT;
      if (is(n, "language")) return K_LANGUAGE;
      if (is(n, "rights")) return K_RIGHTS;
      if (is(n, "identifier")) return K_GUID;
      return K_NONE;
    case NS_DCT:
      if (is(n, "modified")) return K_UPDATED;
      if (is(n, "issued")) return K_PUBLISHED;
      return K_NONE;
    case NS_CONT:
      return is(n, "encoded") ? K_ENCODED : K_NONE;
    case NS_XH:
      return is(n, "body") ? K_XHTML_BODY : K_NONE;
    case NS_ITU:
      if (is(n, "author")) return K_ITUNES_AUTHOR;
      if (is(n, "summary")) return K_ITUNES_SUMMARY;
      if (is(n, "keywords")) return K_SUBJECT;
      if (is(n, "category")) return K_ITUNES_CATEGORY;
      if (is(n, "owner")) return K_ITUNES_OWNER;
      if (is(n, "subtitle")) return K_ITUNES_SUBTITLE;
      return K_NONE;
    case NS_MED:
      if (is(n, "content")) return K_MEDIA_CONTENT;
      if (is(n, "title")) return K_MEDIA_TITLE;
      if (is(n, "category")) return K_SUBJECT;
      if (is(n, "description")) return K_ITUNES_SUMMARY;     /* a plain-text summary too */
      if (is(n, "group")) return K_MEDIA_GROUP;
      return K_NONE;
    default:
      return K_NONE;
  }
}

/* ---- small helpers ----------------------------------------------------------------- */

typedef struct parse_state {
  xmlDocPtr doc;
  const orr_feed_opts *opts;
  int oom;
  int raw;           /* bytes not from libxml2 went into a field (base64) */
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

/* Set *slot to v unless it already has a value (first wins); frees v otherwise. */
static void set_first(char **slot, char *v) {
  if (v == NULL) return;
  if (*slot == NULL) *slot = v; else free(v);
}

static void set_last(char **slot, char *v) {
  if (v == NULL) return;
  free(*slot);
  *slot = v;
}

static char *url_value(parse_state *st, xmlNodePtr n, char *raw) {
  char *base, *abs;
  if (raw == NULL) return NULL;
  base = base_of(st, n);
  abs = orr_url_resolve(raw, base);
  free(base);
  free(raw);
  if (abs == NULL) st->oom = 1;
  return abs;
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

/* An element whose value is HTML (escaped, CDATA or inline markup), as sanitized HTML.
** mode: 0 = html, 1 = plain text, 2 = xhtml/inline xml (children are markup). */
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

static char *html_value(parse_state *st, xmlNodePtr n, int mode) {
  char *out = NULL, *base = NULL;
  xmlNodePtr c;
  int has_elements = 0;
  for (c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) { has_elements = 1; break; }
  if (mode & MODE_B64) {
    char *t = text_of(st, n);
    if (t == NULL) return NULL;
    base64_decode(t);
    st->raw = 1;
    mode &= 3;
    if (mode == 0 && st->opts->sanitize) {
      base = base_of(st, n);
      out = orr_html_sanitize(t, strlen(t), base);
    } else {
      out = mode == 0 ? strdup(t) : orr_html_escape(t);
    }
    free(t);
  } else if (mode == 0 && has_elements && ns_of(n) == NS_ATOM && ns_of(c) == NS_XH && is(c, "div")) {
    /* type="html" whose escaped markup sits in an xhtml <div>: the div's text is the HTML */
    char *t = text_of(st, c);
    if (t == NULL) return NULL;
    base = base_of(st, c);
    out = st->opts->sanitize ? orr_html_sanitize(t, strlen(t), base) : strdup(t);
    free(t);
  } else if (mode == 2 || has_elements) {
    /* markup in the XML itself: Atom xhtml (whose one <div> wrapper is not content, RFC
    ** 4287 3.1.1.3; Atom 0.3 has no such wrapper) or "naked" HTML elements in an RSS
    ** field, whatever the declared type */
    xmlNodePtr from = n;
    if (ns_of(n) == NS_ATOM && mode == 2 && c && ns_of(c) == NS_XH && is(c, "div")) from = c;
    base = base_of(st, from);
    out = st->opts->sanitize ? orr_html_sanitize_node(from, base) : NULL;
    if (!st->opts->sanitize) {
      xmlBufferPtr xb = xmlBufferCreate();
      for (c = from->children; c && xb; c = c->next) xmlNodeDump(xb, st->doc, c, 0, 0);
      out = xb ? strdup((const char *)xmlBufferContent(xb)) : NULL;
      xmlBufferFree(xb);
    }
  } else {
    /* the text as it sits in the tree when it is one node: every entry's content, so it
    ** is not copied before the sanitizer reads it */
    char *t = NULL, *fixed;
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
    } else {
      out = malloc(plen + 1);
      if (out) { memcpy(out, p, plen); out[plen] = '\0'; }
    }
    free(t);
  }
  free(base);
  if (out == NULL) { st->oom = 1; return NULL; }
  /* an all-whitespace result is no value */
  {
    const char *p = out;
    while (*p && (unsigned char)*p <= ' ') p++;
    if (*p == '\0') { free(out); return NULL; }
  }
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

static int push_tag(orr_entry *e, char *term) {
  size_t i;
  if (term == NULL) return 1;
  for (i = 0; i < e->ntags; i++)
    if (strcmp(e->tags[i], term) == 0) { free(term); return 1; }
  if (e->ntags == e->captags) {
    size_t cap = e->captags ? e->captags * 2 : 4;
    char **t = realloc(e->tags, cap * sizeof *t);
    if (t == NULL) { free(term); return 0; }
    e->tags = t;
    e->captags = cap;
  }
  e->tags[e->ntags++] = term;
  return 1;
}

static int push_enclosure(orr_entry *e, char *href, char *type, char *length) {
  if (e->nenc == e->capenc) {
    size_t cap = e->capenc ? e->capenc * 2 : 2;
    orr_enclosure *t = realloc(e->enc, cap * sizeof *t);
    if (t == NULL) { free(href); free(type); free(length); return 0; }
    e->enc = t;
    e->capenc = cap;
  }
  e->enc[e->nenc].href = href;
  e->enc[e->nenc].type = type;
  e->enc[e->nenc].length = length;
  e->nenc++;
  return 1;
}

/* A date element; when one is given several times (or by several elements meaning the
** same: dc:date, dcterms:modified, lastBuildDate), the last readable one wins, as in
** feedparser. */
static void set_date_text(char *v, char **text, int64_t *t, int *has) {
  int64_t when;
  if (v == NULL) return;
  if (!orr_date_parse(v, &when)) {
    if (!*has) set_last(text, v); else free(v);
    return;
  }
  *t = when;
  *has = 1;
  set_last(text, v);
}

static void set_date(parse_state *st, xmlNodePtr n, char **text, int64_t *t, int *has) {
  set_date_text(text_of(st, n), text, t, has);
}

/* Atom <author>: "name (email)", or whichever is there. RSS: the text as written. */
static char *person(parse_state *st, xmlNodePtr n) {
  char *name = NULL, *email = NULL, *out;
  xmlNodePtr c;
  int structured = 0;
  for (c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    structured = 1;
    if (is(c, "name")) set_first(&name, text_of(st, c));
    else if (is(c, "email")) set_first(&email, text_of(st, c));
  }
  if (!structured) return text_of(st, n);
  if (name && email) {
    size_t len = strlen(name) + strlen(email) + 4;
    out = malloc(len);
    if (out) snprintf(out, len, "%s (%s)", name, email);
    free(name); free(email);
    return out;
  }
  if (name == NULL && email == NULL) return strdup("");   /* only a uri: an author all the same */
  return name ? name : email;
}

/* ---- entries and feed ---------------------------------------------------------------- */

static void parse_media(parse_state *st, orr_entry *e, xmlNodePtr n) {
  char *url = attr(n, "url");
  if (url == NULL) return;
  if (!push_enclosure(e, url_value(st, n, url), attr(n, "type"), attr(n, "fileSize")))
    st->oom = 1;
}

static void parse_entry(parse_state *st, orr_entry *e, xmlNodePtr item) {
  xmlNodePtr n;
  char *summary_alt = NULL, *guid_link = NULL, *author_alt = NULL, *title_alt = NULL;
  for (n = item->children; n && !st->oom; n = n->next) {
    char mime[64];
    int mode;
    if (n->type != XML_ELEMENT_NODE) continue;
    switch (key_of(n, 0)) {
      case K_TITLE: set_first(&e->f[ORR_E_TITLE], title_value(st, n)); break;
      case K_MEDIA_TITLE: set_first(&title_alt, title_value(st, n)); break;
      case K_LINK:
        /* Atom's <link href rel>, also written without the Atom namespace in RSS */
        if (ns_of(n) == NS_ATOM || ns_of(n) == NS_A03 || xmlHasProp(n, (const xmlChar *)"href")) {
          char *rel = attr(n, "rel"), *href = attr(n, "href");
          if (rel == NULL || strcmp(rel, "alternate") == 0) {
            set_first(&e->f[ORR_E_LINK], url_value(st, n, href));
          } else if (strcmp(rel, "enclosure") == 0) {
            if (!push_enclosure(e, url_value(st, n, href), attr(n, "type"), attr(n, "length")))
              st->oom = 1;
          } else if (strcmp(rel, "replies") == 0) {
            set_first(&e->f[ORR_E_COMMENTS], url_value(st, n, href));
          } else {
            free(href);
          }
          free(rel);
        } else {
          set_first(&e->f[ORR_E_LINK], url_value(st, n, text_of(st, n)));
        }
        break;
      case K_DESCRIPTION:
        if (e->f[ORR_E_SUMMARY] && !e->f[ORR_E_CONTENT]) goto second_summary;
        set_first(&e->f[ORR_E_SUMMARY], html_value(st, n, 0));
        break;
      case K_SUMMARY:
        if (e->f[ORR_E_SUMMARY] && !e->f[ORR_E_CONTENT] && (ns_of(n) == NS_NONE || ns_of(n) == NS_RSS)) {
        second_summary:
          /* an RSS item with both <description> and <summary>: the second is its content,
          ** as plain text (feedparser) */
          e->f[ORR_E_CONTENT] = html_value(st, n, 0);
          if (e->f[ORR_E_CONTENT]) e->f[ORR_E_CONTENT_TYPE] = strdup("text/plain");
          break;
        }
        if (e->f[ORR_E_SUMMARY]) break;
        mode = atom_mode(n, mime, sizeof mime);
        e->f[ORR_E_SUMMARY] = html_value(st, n, mode);
        if (e->f[ORR_E_SUMMARY]) e->f[ORR_E_SUMMARY_TYPE] = strdup(mime);
        break;
      case K_ITUNES_SUMMARY: set_first(&summary_alt, html_value(st, n, 1)); break;
      case K_TAGS: {
        char *t = text_of(st, n), *p, *q;
        for (p = t; p && *p; p = q) {
          size_t len;
          q = strchr(p, ',');
          len = q ? (size_t)(q - p) : strlen(p);
          while (len && (unsigned char)*p <= ' ') { p++; len--; }
          while (len && (unsigned char)p[len - 1] <= ' ') len--;
          if (len && !push_tag(e, strndup(p, len))) st->oom = 1;
          q = q ? q + 1 : p + strlen(p);
        }
        free(t);
        break;
      }
      case K_CONTENT:
        if (e->f[ORR_E_CONTENT]) break;
        mode = atom_mode(n, mime, sizeof mime);
        e->f[ORR_E_CONTENT] = html_value(st, n, mode);
        if (e->f[ORR_E_CONTENT]) e->f[ORR_E_CONTENT_TYPE] = strdup(mime);
        break;
      case K_ENCODED:
        if (e->f[ORR_E_CONTENT]) break;
        e->f[ORR_E_CONTENT] = html_value(st, n, 0);
        if (e->f[ORR_E_CONTENT]) e->f[ORR_E_CONTENT_TYPE] = strdup("text/html");
        break;
      case K_XHTML_BODY:
        if (e->f[ORR_E_CONTENT]) break;
        e->f[ORR_E_CONTENT] = html_value(st, n, 2);
        if (e->f[ORR_E_CONTENT]) e->f[ORR_E_CONTENT_TYPE] = strdup("application/xhtml+xml");
        break;
      case K_ID: {
        char *id = text_of(st, n);
        if (id && !guid_link && (!strncasecmp(id, "http://", 7) || !strncasecmp(id, "https://", 8)))
          guid_link = strdup(id);          /* an id that is a web address stands in for a link */
        set_first(&e->f[ORR_E_ID], id);
        break;
      }
      case K_GUID: {
        char *g = text_of(st, n);
        if (g && ns_of(n) != NS_DCE && !attr_is(n, "isPermaLink", "false") && !guid_link)
          guid_link = strdup(g);
        set_first(&e->f[ORR_E_ID], g);
        break;
      }
      case K_PUBLISHED:
      case K_PUBDATE_FEED:
        set_date(st, n, &e->f[ORR_E_PUBLISHED_TEXT], &e->published, &e->has_published);
        break;
      case K_UPDATED:
      case K_LASTBUILD:
        set_date(st, n, &e->f[ORR_E_UPDATED_TEXT], &e->updated, &e->has_updated);
        break;
      case K_AUTHOR:   /* several Atom authors: the last is the one feedparser reports */
        if (ns_of(n) == NS_ATOM) set_last(&e->f[ORR_E_AUTHOR], person(st, n));
        else set_first(&e->f[ORR_E_AUTHOR], person(st, n));
        break;
      case K_CREATOR: set_last(&author_alt, text_of(st, n)); break;   /* the last, as feedparser */
      case K_ITUNES_AUTHOR: set_first(&author_alt, text_of(st, n)); break;
      case K_CATEGORY: {
        char *term = attr(n, "term");
        if (term == NULL) term = text_of(st, n);
        if (term == NULL) term = attr(n, "text");      /* itunes:category */
        if (!push_tag(e, term)) st->oom = 1;
        break;
      }
      case K_SUBJECT:
        if (!push_tag(e, text_of(st, n))) st->oom = 1;
        break;
      case K_ITUNES_CATEGORY: {          /* text="..." and nested subcategories */
        xmlNodePtr sub;
        if (!push_tag(e, attr(n, "text"))) st->oom = 1;
        for (sub = n->children; sub; sub = sub->next)
          if (sub->type == XML_ELEMENT_NODE && key_of(sub, 0) == K_ITUNES_CATEGORY &&
              !push_tag(e, attr(sub, "text")))
            st->oom = 1;
        break;
      }
      case K_ENCLOSURE: {
        char *url = attr(n, "url");
        if (url && !push_enclosure(e, url_value(st, n, url), attr(n, "type"), attr(n, "length")))
          st->oom = 1;
        break;
      }
      case K_MEDIA_CONTENT: parse_media(st, e, n); break;
      case K_MEDIA_GROUP: {
        xmlNodePtr m;
        for (m = n->children; m; m = m->next) {
          if (m->type != XML_ELEMENT_NODE) continue;
          switch (key_of(m, 0)) {
            case K_MEDIA_CONTENT: parse_media(st, e, m); break;
            case K_MEDIA_TITLE: set_first(&title_alt, title_value(st, m)); break;
            case K_ITUNES_SUMMARY: set_first(&summary_alt, html_value(st, m, 1)); break;
            case K_SUBJECT: if (!push_tag(e, text_of(st, m))) st->oom = 1; break;
            default: break;
          }
        }
        break;
      }
      case K_COMMENTS: set_first(&e->f[ORR_E_COMMENTS], url_value(st, n, text_of(st, n))); break;
      default: break;
    }
  }
  set_first(&e->f[ORR_E_AUTHOR], author_alt);
  set_first(&e->f[ORR_E_SUMMARY], summary_alt);
  set_first(&e->f[ORR_E_TITLE], title_alt);
  if (e->f[ORR_E_LINK] == NULL && guid_link && strstr(guid_link, "://"))
    e->f[ORR_E_LINK] = url_value(st, item, guid_link);
  else
    free(guid_link);
  if (e->f[ORR_E_ID] == NULL) {           /* RSS 1.0 items carry their identity in rdf:about */
    xmlChar *about = xmlGetNsProp(item, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
    if (about) { e->f[ORR_E_ID] = strdup((const char *)about); xmlFree(about); }
  }
}

static orr_entry *new_entry(parse_state *st, orr_feed *f) {
  orr_entry *e;
  if (f->nentries == f->capentries) {
    size_t cap = f->capentries ? f->capentries * 2 : 16;
    orr_entry *t = realloc(f->entries, cap * sizeof *t);
    if (t == NULL) { st->oom = 1; return NULL; }
    f->entries = t;
    f->capentries = cap;
  }
  e = &f->entries[f->nentries++];
  memset(e, 0, sizeof *e);
  return e;
}

/* Microsoft's Channel Definition Format (1997): <CHANNEL HREF= LASTMOD= BASE=> with TITLE,
** ABSTRACT and ITEMs of the same shape.  BASE is the base of the channel's relative HREFs. */
static char *cdf_href(parse_state *st, xmlNodePtr n, const char *base) {
  char *raw = attr(n, "HREF"), *abs;
  if (raw == NULL) return NULL;
  abs = orr_url_resolve(raw, base);
  free(raw);
  if (abs == NULL) st->oom = 1;
  return abs;
}

static void parse_cdf(parse_state *st, orr_feed *f, xmlNodePtr ch) {
  char *own = attr(ch, "BASE"), *base;
  xmlNodePtr n, c;
  base = own ? orr_url_resolve(own, st->opts->url) : (st->opts->url ? strdup(st->opts->url) : NULL);
  free(own);
  f->f[ORR_F_LINK] = cdf_href(st, ch, base);
  set_date_text(attr(ch, "LASTMOD"), &f->f[ORR_F_UPDATED_TEXT], &f->updated, &f->has_updated);
  for (n = ch->children; n && !st->oom; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (is(n, "TITLE")) set_first(&f->f[ORR_F_TITLE], title_value(st, n));
    else if (is(n, "ABSTRACT")) set_first(&f->f[ORR_F_SUBTITLE], html_value(st, n, 0));
    else if (is(n, "ITEM")) {
      orr_entry *e = new_entry(st, f);
      if (e == NULL) break;
      e->f[ORR_E_LINK] = cdf_href(st, n, base);
      set_date_text(attr(n, "LASTMOD"), &e->f[ORR_E_UPDATED_TEXT], &e->updated, &e->has_updated);
      for (c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (is(c, "TITLE")) set_first(&e->f[ORR_E_TITLE], title_value(st, c));
        else if (is(c, "ABSTRACT")) set_first(&e->f[ORR_E_SUMMARY], html_value(st, c, 0));
      }
    }
  }
  free(base);
}

/* The children of a channel/feed element; items found here or (RSS 1.0) beside it. */
static void parse_channel(parse_state *st, orr_feed *f, xmlNodePtr ch) {
  xmlNodePtr n;
  char *author_alt = NULL, *subtitle_alt = NULL;
  for (n = ch->children; n && !st->oom; n = n->next) {
    enum key k;
    if (n->type != XML_ELEMENT_NODE) continue;
    k = key_of(n, 1);
    switch (k) {
      case K_ITEM: {
        orr_entry *e = new_entry(st, f);
        if (e) parse_entry(st, e, n);
        break;
      }
      case K_TITLE: set_first(&f->f[ORR_F_TITLE], title_value(st, n)); break;
      case K_LINK:
        if (ns_of(n) == NS_ATOM || ns_of(n) == NS_A03 || xmlHasProp(n, (const xmlChar *)"href")) {
          char *rel = attr(n, "rel");
          if (rel == NULL || strcmp(rel, "alternate") == 0)
            set_first(&f->f[ORR_F_LINK], url_value(st, n, attr(n, "href")));
          free(rel);
        } else {
          set_first(&f->f[ORR_F_LINK], url_value(st, n, text_of(st, n)));
        }
        break;
      case K_DESCRIPTION: {
        char *v = html_value(st, n, 0);
        /* <description/>: the channel has a description, and it is empty */
        if (v == NULL && !st->oom && n->children == NULL) v = strdup("");
        set_first(&f->f[ORR_F_SUBTITLE], v);
        break;
      }
      case K_SUBTITLE: {
        char mime[64];
        int mode = atom_mode(n, mime, sizeof mime);
        if (f->f[ORR_F_SUBTITLE]) break;
        f->f[ORR_F_SUBTITLE] = html_value(st, n, mode);
        if (f->f[ORR_F_SUBTITLE]) f->f[ORR_F_SUBTITLE_TYPE] = strdup(mime);
        break;
      }
      case K_UPDATED:
      case K_LASTBUILD:
        set_date(st, n, &f->f[ORR_F_UPDATED_TEXT], &f->updated, &f->has_updated);
        break;
      case K_AUTHOR:
        if (ns_of(n) == NS_ATOM) set_last(&f->f[ORR_F_AUTHOR], person(st, n));
        else set_first(&f->f[ORR_F_AUTHOR], person(st, n));
        break;
      case K_ITUNES_OWNER: {            /* the owner's name (feedparser's publisher), else email */
        xmlNodePtr c;
        char *name = NULL, *email = NULL;
        for (c = n->children; c; c = c->next) {
          if (c->type != XML_ELEMENT_NODE) continue;
          if (is(c, "name")) set_first(&name, text_of(st, c));
          else if (is(c, "email")) set_first(&email, text_of(st, c));
        }
        if (name) { free(email); set_first(&author_alt, name); }
        else set_first(&author_alt, email);
        break;
      }
      case K_ITUNES_SUBTITLE: set_first(&subtitle_alt, html_value(st, n, 1)); break;
      case K_CREATOR:
      case K_ITUNES_AUTHOR: set_first(&author_alt, text_of(st, n)); break;
      case K_LANGUAGE: set_first(&f->f[ORR_F_LANGUAGE], text_of(st, n)); break;
      case K_ID: set_first(&f->f[ORR_F_ID], text_of(st, n)); break;
      case K_ICON: set_first(&f->f[ORR_F_ICON], url_value(st, n, text_of(st, n))); break;
      case K_IMAGE: {
        xmlNodePtr c;
        for (c = n->children; c; c = c->next)
          if (c->type == XML_ELEMENT_NODE && is(c, "url"))
            set_first(&f->f[ORR_F_ICON], url_value(st, c, text_of(st, c)));
        break;
      }
      case K_RIGHTS: set_first(&f->f[ORR_F_RIGHTS], text_of(st, n)); break;
      case K_GENERATOR: set_first(&f->f[ORR_F_GENERATOR], text_of(st, n)); break;
      default: break;
    }
  }
  set_first(&f->f[ORR_F_AUTHOR], author_alt);
  set_first(&f->f[ORR_F_SUBTITLE], subtitle_alt);
  if (f->f[ORR_F_LINK] == NULL && f->f[ORR_F_ID] &&
      (!strncmp(f->f[ORR_F_ID], "http://", 7) || !strncmp(f->f[ORR_F_ID], "https://", 8)))
    f->f[ORR_F_LINK] = strdup(f->f[ORR_F_ID]);
  if (f->f[ORR_F_LANGUAGE] == NULL) {
    xmlChar *lang = xmlNodeGetLang(ch);
    if (lang) { f->f[ORR_F_LANGUAGE] = strdup((const char *)lang); xmlFree(lang); }
  }
  if (f->f[ORR_F_LANGUAGE]) {                    /* "en_US" is meant as the tag "en-US" */
    char *p;
    for (p = f->f[ORR_F_LANGUAGE]; *p; p++) if (*p == '_') *p = '-';
  }
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

/* ---- encodings ---------------------------------------------------------------------- */

static int encoding_known(const char *name) {
  xmlCharEncodingHandlerPtr h;
  if (name[0] < 'A' || (name[0] > 'Z' && name[0] < 'a') || name[0] > 'z') return 0;  /* XML's rule */
  h = xmlFindCharEncodingHandler(name);
  if (h == NULL) return 0;
  xmlCharEncCloseFunc(h);
  return 1;
}

/* The encoding to read a declared or HTTP charset as: a name libxml2 knows, "" when there
** is none, NULL when the name can stay.  ISO-8859-1 and ASCII are read as windows-1252, as
** browsers do: feeds declared Latin-1 are full of Windows "smart quotes". */
static const char *encoding_alias(const char *name, char *buf, size_t n) {
  static const struct { const char *from, *to; } table[] = {
    {"macgreek", "x-mac-greek"}, {"maclatin2", "x-mac-centraleurroman"},
    {"macturkish", "x-mac-turkish"}, {"maccyrillic", "x-mac-cyrillic"},
    {"mac", "macintosh"}, {"ms-ansi", "windows-1252"}, {"ms-arab", "windows-1256"},
    {"ms-cyrl", "windows-1251"}, {"ms-ee", "windows-1250"}, {"ms-greek", "windows-1253"},
    {"ms-hebr", "windows-1255"}, {"ms-turk", "windows-1254"}, {"winbaltrim", "windows-1257"},
    {"u16", "utf-16"}, {"u8", "utf-8"},
  };
  char low[48];
  size_t i, len = strlen(name);
  if (len == 0 || len >= sizeof low) return "";
  for (i = 0; i <= len; i++) low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
  if (!strcmp(low, "iso-8859-1") || !strcmp(low, "iso8859-1") || !strcmp(low, "latin1") ||
      !strcmp(low, "latin-1") || !strcmp(low, "l1") || !strcmp(low, "us-ascii") ||
      !strcmp(low, "ascii") || !strcmp(low, "iso_8859-1"))
    return "windows-1252";
  if (encoding_known(name)) return NULL;
  for (i = 0; i < sizeof table / sizeof table[0]; i++)
    if (!strcmp(low, table[i].from)) return table[i].to;
  if (low[0] >= '0' && low[0] <= '9') {                       /* "437" = cp437 */
    snprintf(buf, n, "cp%s", low);
    if (encoding_known(buf)) return buf;
  }
  return "";
}

/* UTF-32, UTF-16 and EBCDIC documents, told by their byte order mark or by how "<?" or
** "<" comes out (XML 1.0 appendix F), are turned into UTF-8 here with iconv: libxml2 does
** not detect UTF-32 at all, refuses UTF-16 whose declaration names it oddly ("u16",
** "csunicode"), and knows few EBCDIC code pages.  Returns a malloc'd UTF-8 copy, or NULL if d is not such a document. */
/* An EBCDIC document ("<?xm" is 4C 6F A7 94): the encoding its declaration names, read
** through IBM037 (the declaration's characters are the same in every EBCDIC code page), or
** IBM037 itself when iconv does not know that name.  Into buf; NULL if not EBCDIC. */
static const char *ebcdic_name(const char *d, size_t len, char *buf, size_t n) {
  char head[256], *in = (char *)d, *o = head, *e, *q;
  size_t inleft = len < sizeof head - 1 ? len : sizeof head - 1, outleft = sizeof head - 1;
  iconv_t cd;
  if (len < 4 || memcmp(d, "\x4C\x6F\xA7\x94", 4) != 0) return NULL;
  cd = iconv_open("ISO-8859-1", "IBM037");
  if (cd == (iconv_t)-1) return NULL;
  iconv(cd, &in, &inleft, &o, &outleft);      /* as far as it goes: only the declaration matters */
  iconv_close(cd);
  *o = '\0';
  snprintf(buf, n, "IBM037");
  e = strstr(head, "encoding");
  if (e && (e = strpbrk(e, "\"'")) != NULL && (q = strchr(e + 1, *e)) != NULL && (size_t)(q - e - 1) < n) {
    memcpy(buf, e + 1, (size_t)(q - e - 1));
    buf[q - e - 1] = '\0';
    cd = iconv_open("UTF-8", buf);
    if (cd == (iconv_t)-1) {                  /* "ebcdic_cp_be" is iconv's "EBCDIC-CP-BE" */
      for (q = buf; *q; q++) if (*q == '_') *q = '-';
      cd = iconv_open("UTF-8", buf);
    }
    if (cd == (iconv_t)-1) snprintf(buf, n, "IBM037");
    else iconv_close(cd);
  }
  return buf;
}

/* Does d declare an encoding (BOM or encoding="..." in an XML declaration)? */
static int declares_encoding(const char *d, size_t len) {
  const char *end;
  if (len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) return 1;
  if (len >= 2 && (!memcmp(d, "\xFE\xFF", 2) || !memcmp(d, "\xFF\xFE", 2))) return 1;
  if (len < 6 || memcmp(d, "<?xml", 5) != 0) return 0;
  end = memchr(d, '>', len < 512 ? len : 512);
  if (end == NULL) return 0;
  for (; d + 8 <= end; d++) if (memcmp(d, "encoding", 8) == 0) return 1;
  return 0;
}

/* More bytes that cannot be UTF-8 than UTF-8 sequences of two or more bytes: text in an
** 8-bit legacy encoding, not UTF-8 with a few bad bytes. */
static int mostly_not_utf8(const char *d, size_t len) {
  size_t i = 0, good = 0, bad = 0;
  while (i < len) {
    size_t k = orr_utf8_seq(d + i, len - i);
    if (k == 0) { bad++; i++; }
    else { good += k > 1; i += k; }
  }
  return bad > good;
}

static char *transcode_wide(const char *d, size_t len, size_t *outlen, int *bad) {
  const unsigned char *u = (const unsigned char *)d;
  const char *from = NULL;
  char ebcdic[48];
  size_t skip = 0, inleft, outleft, cap;
  char *out, *in, *o;
  iconv_t cd;
  *bad = 0;
  if (len < 4) return NULL;
  if (!memcmp(u, "\x00\x00\xFE\xFF", 4)) { from = "UTF-32BE"; skip = 4; }
  else if (!memcmp(u, "\xFF\xFE\x00\x00", 4)) { from = "UTF-32LE"; skip = 4; }
  else if (!memcmp(u, "\x00\x00\x00\x3C", 4)) from = "UTF-32BE";
  else if (!memcmp(u, "\x3C\x00\x00\x00", 4)) from = "UTF-32LE";
  else if (!memcmp(u, "\xFE\xFF", 2)) { from = "UTF-16BE"; skip = 2; }
  else if (!memcmp(u, "\xFF\xFE", 2)) { from = "UTF-16LE"; skip = 2; }
  else if (!memcmp(u, "\x00\x3C\x00\x3F", 4)) from = "UTF-16BE";
  else if (!memcmp(u, "\x3C\x00\x3F\x00", 4)) from = "UTF-16LE";
  else if ((from = ebcdic_name(d, len, ebcdic, sizeof ebcdic)) == NULL) return NULL;
  cd = iconv_open("UTF-8", from);
  if (cd == (iconv_t)-1) return NULL;
  cap = (len - skip) * 3 + 16;              /* UTF-8 of UTF-16 is at most 1.5x, of EBCDIC 3x */
  out = malloc(cap);
  if (out == NULL) { iconv_close(cd); return NULL; }
  in = (char *)d + skip;
  inleft = len - skip;
  o = out;
  outleft = cap - 1;
  while (inleft > 0) {
    if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1) break;
    if (errno == E2BIG) break;               /* cannot happen with the bound above */
    *bad = 1;                                 /* invalid or cut off: skip one unit */
    {
      size_t unit = from == ebcdic ? 1 : from[4] == '3' ? 4 : 2;
      if (inleft < unit) break;
      in += unit;
      inleft -= unit;
      if (outleft >= 3) { memcpy(o, "\xEF\xBF\xBD", 3); o += 3; outleft -= 3; }
    }
  }
  iconv_close(cd);
  *o = '\0';
  *outlen = (size_t)(o - out);
  return out;
}

/* Rewrite the XML declaration's encoding when libxml2 could not read the name as written
** ("437", "macgreek", a made-up name).  Returns a malloc'd copy or NULL if unchanged;
** *note tells when the encoding had to be guessed (the feed is then flagged). */
static char *fix_declaration(const char *d, size_t len, size_t *outlen, char *note, size_t notelen,
                             const char *forced) {
  const char *p = d, *end, *e, *q1, *q2;
  const char *to;
  char name[64], alias[64];
  size_t skip = 0, n;
  orr_buf b;
  if (len >= 3 && (unsigned char)d[0] == 0xEF && (unsigned char)d[1] == 0xBB && (unsigned char)d[2] == 0xBF)
    skip = 3;
  p = d + skip;
  if (len - skip < 6 || memcmp(p, "<?xml", 5) != 0) return NULL;
  end = memchr(p, '>', len - skip < 512 ? len - skip : 512);
  if (end == NULL) return NULL;
  e = p;
  for (;;) {
    e = memchr(e, 'e', (size_t)(end - e));
    if (e == NULL) return NULL;
    if ((size_t)(end - e) > 8 && memcmp(e, "encoding", 8) == 0) break;
    e++;
  }
  q1 = e + 8;
  while (q1 < end && (*q1 == ' ' || *q1 == '=' || *q1 == '\t')) q1++;
  if (q1 >= end || (*q1 != '"' && *q1 != '\'')) return NULL;
  q2 = memchr(q1 + 1, *q1, (size_t)(end - q1 - 1));
  if (q2 == NULL || (n = (size_t)(q2 - q1 - 1)) == 0 || n >= sizeof name) return NULL;
  memcpy(name, q1 + 1, n);
  name[n] = '\0';
  to = forced ? forced : encoding_alias(name, alias, sizeof alias);
  if (to == NULL || (forced && strcasecmp(name, forced) == 0)) return NULL;
  if (*to == '\0') {
    to = orr_utf8_valid(d, len) ? "utf-8" : "windows-1252";
    snprintf(note, notelen, "unsupported encoding %s, read as %s", name, to);
  }
  orr_buf_init(&b);
  orr_buf_add(&b, d, (size_t)(q1 + 1 - d));
  orr_buf_adds(&b, to);
  orr_buf_add(&b, q2, len - (size_t)(q2 - d));
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return NULL; }
  *outlen = b.len;
  return orr_buf_take(&b);
}

/* Feeds use HTML's named entities (&nbsp;, &eacute;) without declaring them, and libxml2
** drops undeclared references (and, once a document has any error, every entity reference).
** So before parsing, such references are rewritten as character references (&#233;),
** which the parser always keeps.  Only for ASCII-compatible bytes, never inside CDATA
** sections or comments, and not at all when the document declares entities itself.
** Returns a malloc'd copy, or NULL when nothing needed rewriting (or out of memory). */
/* The first occurrence of the 3 bytes t in the n bytes at d, or NULL. */
static const char *find3(const char *d, size_t n, const char *t) {
  const char *p = d, *end = d + n;
  while (end - p >= 3 && (p = memchr(p, t[0], (size_t)(end - p) - 2)) != NULL) {
    if (p[1] == t[1] && p[2] == t[2]) return p;
    p++;
  }
  return NULL;
}

static char *fix_entities(const char *d, size_t len, size_t *outlen) {
  orr_buf b;
  const char *amp = NULL;
  size_t i = 0, last = 0;
  int changed = 0;
  if (len >= 2 && (((unsigned char)d[0] == 0xFE && (unsigned char)d[1] == 0xFF) ||
                   ((unsigned char)d[0] == 0xFF && (unsigned char)d[1] == 0xFE)))
    return NULL;                                   /* UTF-16 */
  if (memchr(d, '\0', len < 4 ? len : 4)) return NULL;
  if (!memchr(d, '&', len)) return NULL;
  orr_buf_init(&b);
  while (i < len) {
    const char *lt;
    /* the next '&' is searched for again only once i has passed it: each '<' before it
    ** would otherwise rescan the same stretch (quadratic on a long run of tags) */
    if (amp == NULL || amp < d + i) {
      amp = memchr(d + i, '&', len - i);
      if (amp == NULL) break;
    }
    lt = memchr(d + i, '<', (size_t)(amp - (d + i)));
    if (lt) {                                     /* markup before the next '&' */
      size_t at = (size_t)(lt - d), rest = len - at;
      const char *close = NULL;
      if (rest >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) close = "]]>";
      else if (rest >= 4 && memcmp(lt, "<!--", 4) == 0) close = "-->";
      else if (rest >= 8 && memcmp(lt, "<!ENTITY", 8) == 0) { orr_buf_free(&b); return NULL; }
      if (close) {                                /* skipped whole: '&' is literal in there */
        const char *end = find3(d + at + 4, len - at - 4, close);
        i = end ? (size_t)(end - d) + 3 : len;
      } else {
        i = at + 1;
      }
      continue;
    }
    {                                             /* the five of XML: the usual case, fast */
      size_t left = len - (size_t)(amp - d);
      if (left >= 4 && (amp[1] == 'l' || amp[1] == 'g') && amp[2] == 't' && amp[3] == ';') {
        i = (size_t)(amp - d) + 4;
        continue;
      }
      if (left >= 5 && memcmp(amp + 1, "amp;", 4) == 0) { i = (size_t)(amp - d) + 5; continue; }
      if (left >= 6 && (memcmp(amp + 1, "quot;", 5) == 0 || memcmp(amp + 1, "apos;", 5) == 0)) {
        i = (size_t)(amp - d) + 6;
        continue;
      }
    }
    if ((size_t)(amp - d) + 2 < len && amp[1] == '#' && amp[2] == 'X') {   /* &#X41; */
      size_t at = (size_t)(amp - d);
      orr_buf_add(&b, d + last, at + 2 - last);
      orr_buf_addc(&b, 'x');
      last = i = at + 3;
      changed = 1;
      continue;
    }
    {
      size_t at = (size_t)(amp - d), k = at + 1;
      char name[33];
      const htmlEntityDesc *h;
      while (k < len && k - at <= 32 && ((d[k] >= 'a' && d[k] <= 'z') || (d[k] >= 'A' && d[k] <= 'Z') ||
                                         (k > at + 1 && d[k] >= '0' && d[k] <= '9')))
        k++;
      i = at + 1;
      if (k >= len || d[k] != ';' || k == at + 1) {
        /* not a reference: a bare '&' (as in "?a=1&b=2"), which XML forbids and libxml2
        ** would drop with the name after it; written as &amp; it survives */
        if (!(at + 1 < len && d[at + 1] == '#')) {
          orr_buf_add(&b, d + last, at + 1 - last);
          orr_buf_adds(&b, "amp;");
          last = at + 1;
          changed = 1;
        }
        continue;
      }
      memcpy(name, d + at + 1, k - at - 1);
      name[k - at - 1] = '\0';
      if (!strcmp(name, "amp") || !strcmp(name, "lt") || !strcmp(name, "gt") ||
          !strcmp(name, "quot") || !strcmp(name, "apos"))
        continue;
      if ((h = htmlEntityLookup((const xmlChar *)name)) == NULL) {
        /* a name neither XML nor HTML knows: libxml2 would drop it, text and all; as
        ** "&amp;name;" it stays what the author wrote */
        orr_buf_add(&b, d + last, at + 1 - last);
        orr_buf_adds(&b, "amp;");
        last = at + 1;
        changed = 1;
        continue;
      }
      {
        char ref[16];
        snprintf(ref, sizeof ref, "&#%u;", h->value);
        orr_buf_add(&b, d + last, at - last);
        orr_buf_adds(&b, ref);
        last = k + 1;
        i = k + 1;
        changed = 1;
      }
    }
  }
  if (!changed) { orr_buf_free(&b); return NULL; }
  orr_buf_add(&b, d + last, len - last);
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return NULL; }
  *outlen = b.len;
  return orr_buf_take(&b);
}

/* Every string handed out is valid UTF-8: bytes libxml2 let through from a document
** with a wrong encoding become U+FFFD, and C1 controls their Windows-1252 characters
** ("don&#146;t" is "don't" in every browser).  With `valid` (a well-formed document, every
** field libxml2's own output) only the C1 controls are looked for.  Returns 0 if out of
** memory. */
static int fix_str(char **slot, int valid) {
  int bad;
  char *r;
  size_t n;
  if (*slot == NULL) return 1;
  n = strlen(*slot);
  r = valid ? orr_utf8_map_c1(*slot, n, &bad) : orr_utf8_repair(*slot, n, &bad);
  if (bad) return 0;
  if (r) { free(*slot); *slot = r; }
  return 1;
}

static int make_utf8(orr_feed *f, int v) {
  size_t i, j;
  int ok = 1;
  for (j = 0; j < ORR_F_NFIELDS; j++) ok &= fix_str(&f->f[j], v);
  for (i = 0; i < f->nentries; i++) {
    orr_entry *e = &f->entries[i];
    for (j = 0; j < ORR_E_NFIELDS; j++) ok &= fix_str(&e->f[j], v);
    for (j = 0; j < e->ntags; j++) ok &= fix_str(&e->tags[j], v);
    for (j = 0; j < e->nenc; j++)
      ok &= fix_str(&e->enc[j].href, v) & fix_str(&e->enc[j].type, v) & fix_str(&e->enc[j].length, v);
  }
  return ok;
}

/* An HTML page where a feed was expected: "<html" or "<!doctype html" near the start. */
static int html_page(const char *d, size_t len) {
  size_t i, n = len < 4096 ? len : 4096;
  for (i = 0; i + 5 <= n; i++)
    if (d[i] == '<' && (strncasecmp(d + i, "<html", 5) == 0 ||
                        (i + 14 <= n && strncasecmp(d + i, "<!doctype html", 14) == 0)))
      return 1;
  return 0;
}

static void fail(char *err, size_t errlen, const char *fmt, const char *detail) {
  if (err && errlen) snprintf(err, errlen, fmt, detail ? detail : "");
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

orr_feed *orr_feed_parse(const char *input, size_t input_len, const orr_feed_opts *opts,
                         char *err, size_t errlen) {
  /* data/len move to rewritten copies of the input below, which are freed right after
  ** parsing: anything later that looks at the bytes uses input/input_len */
  const char *data = input;
  size_t len = input_len;
  /* NONET: no network; no NOENT/DTDLOAD/DTDATTR: no entity substitution, no external DTD;
  ** RECOVER: keep what can be kept of an ill-formed document (flagged as bozo). */
  int xopts = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
              XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;
  xmlNodePtr root, n;
  orr_feed *f;
  parse_state st;
  char msg[256];
  char *fixed, *declfixed, *wide;
  int wide_bad;
  size_t fixed_len = 0;
  int rewritten;
  char note[160];
  const char *encoding = NULL;

  if (len > (size_t)0x7fffffff) { fail(err, errlen, "document too large%s", NULL); return NULL; }
  {                                   /* JSON Feed: the first thing is a '{' */
    size_t i = (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) ? 3 : 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t')) i++;
    if (i < len && data[i] == '{') {
      f = orr_jsonfeed_parse(data + i, len - i, opts, err, errlen);
      if (f && !make_utf8(f, 0)) { orr_feed_free(f); fail(err, errlen, "out of memory%s", NULL); return NULL; }
      return f;
    }
  }
  ctxt = xmlNewParserCtxt();
  if (ctxt == NULL) { fail(err, errlen, "out of memory%s", NULL); return NULL; }
  /* the input as libxml2 can read it: an encoding name it knows, HTML entities as
  ** character references; each step copies only when it changes something */
  note[0] = '\0';
  wide = transcode_wide(data, len, &fixed_len, &wide_bad);
  if (wide) {
    data = wide;
    len = fixed_len;
    if (wide_bad) snprintf(note, sizeof note, "invalid UTF-16/UTF-32 sequences replaced");
  }
  declfixed = fix_declaration(data, len, &fixed_len, note, sizeof note, wide ? "utf-8" : NULL);
  if (declfixed) { data = declfixed; len = fixed_len; }
  fixed = fix_entities(data, len, &fixed_len);
  if (fixed) { data = fixed; len = fixed_len; }
  if (opts->encoding) {
    char alias[64];
    const char *to = encoding_alias(opts->encoding, alias, sizeof alias);
    encoding = to == NULL ? opts->encoding : *to ? to : NULL;
  }
  if (encoding == NULL && !wide && !declares_encoding(data, len) && !orr_utf8_valid(data, len) &&
      mostly_not_utf8(data, len)) {
    /* no charset anywhere and the bytes are not UTF-8: the fallback of RFC 3023's rules
    ** (and feedparser's) is windows-1252, which loses no byte, where reading it as UTF-8
    ** would turn every letter into U+FFFD */
    encoding = "iso-8859-1";          /* every byte a character; C1 ones become cp1252's later */
    if (!note[0]) snprintf(note, sizeof note, "no encoding declared and the bytes are not UTF-8: read as windows-1252");
  }
  doc = xmlCtxtReadMemory(ctxt, data, (int)len, opts->url, encoding, xopts);
  rewritten = fixed != NULL;
  free(fixed);                        /* the parser made its own copy of the input */
  free(declfixed);
  free(wide);
  root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (root == NULL) {
    xml_error(msg, sizeof msg, ctxt);
    if (html_page(input, input_len)) fail(err, errlen, "not a feed: an HTML page%s", NULL);
    else fail(err, errlen, "not a feed: %s", len ? msg : "empty document");
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return NULL;
  }
  f = calloc(1, sizeof *f);
  if (f == NULL) { xmlFreeDoc(doc); xmlFreeParserCtxt(ctxt); fail(err, errlen, "out of memory%s", NULL); return NULL; }
  if (!ctxt->wellFormed) {
    xml_error(msg, sizeof msg, ctxt);
    f->bozo = 1;
    f->bozo_message = strdup(msg);
  } else if (note[0]) {
    f->bozo = 1;
    f->bozo_message = strdup(note);
  } else if (rewritten) {
    f->bozo = 1;
    f->bozo_message = strdup("undeclared HTML entities or bare '&' (read as HTML would)");
  }
  st.doc = doc;
  st.opts = opts;
  st.oom = 0;
  st.raw = 0;

  if (is(root, "rss") || (is(root, "channel") && ns_of(root) == NS_NONE)) {
    f->format = is(root, "rss") ? rss_format(root, doc) : "rss";
    for (n = root->children; n; n = n->next)
      if (n->type == XML_ELEMENT_NODE && is(n, "channel")) parse_channel(&st, f, n);
      else if (n->type == XML_ELEMENT_NODE && key_of(n, 0) == K_ITEM) {   /* <item> without <channel> */
        orr_entry *e = new_entry(&st, f);
        if (e) parse_entry(&st, e, n);
      }
    if (is(root, "channel")) parse_channel(&st, f, root);
  } else if (is(root, "RDF")) {
    xmlNsPtr d;
    f->format = "rss10";
    for (d = root->nsDef; d; d = d->next)   /* RSS 0.90 by its namespace, even with no items */
      if (d->href && strcmp((const char *)d->href, NS_RSS090) == 0) f->format = "rss090";
    for (n = root->children; n; n = n->next) {
      if (n->type != XML_ELEMENT_NODE) continue;
      if (ns_of(n) == NS_RSS && n->ns && strcmp((const char *)n->ns->href, NS_RSS090) == 0)
        f->format = "rss090";
      if (is(n, "channel")) parse_channel(&st, f, n);
      else if (is(n, "item")) {
        orr_entry *e = new_entry(&st, f);
        if (e) parse_entry(&st, e, n);
      }
    }
  } else if (is(root, "feed")) {
    enum ns ns = ns_of(root);
    if (ns == NS_ATOM) f->format = "atom10";
    else if (ns == NS_A03) {
      xmlChar *v = xmlGetNoNsProp(root, (const xmlChar *)"version");
      f->format = v && xmlStrcmp(v, (const xmlChar *)"0.3") == 0 ? "atom03" : "atom";
      xmlFree(v);
    } else {
      /* <feed version="0.3"> in a namespace of its own: read it as Atom 0.3; a <feed> that
      ** declares Atom 1.0's namespace (with a prefix) is Atom 1.0 */
      xmlChar *v = xmlGetNoNsProp(root, (const xmlChar *)"version");
      xmlNsPtr d;
      f->format = "atom";
      for (d = root->nsDef; d; d = d->next)
        if (d->href && strcmp((const char *)d->href, NS_ATOM10) == 0) f->format = "atom10";
      if (v && xmlStrcmp(v, (const xmlChar *)"0.3") == 0) f->format = "atom03";
      if (root->ns && root->ns->href) doc->_private = (void *)root->ns->href;
      xmlFree(v);
    }
    parse_channel(&st, f, root);
    doc->_private = NULL;
  } else if (is(root, "CHANNEL")) {
    f->format = "cdf";
    parse_cdf(&st, f, root);
  } else if (xmlStrcasecmp(root->name, (const xmlChar *)"html") == 0) {
    fail(err, errlen, "not a feed: an HTML page%s", NULL);
    goto error;
  } else {
    snprintf(msg, sizeof msg, "%.100s", (const char *)root->name);
    if (html_page(input, input_len)) fail(err, errlen, "not a feed: an HTML page%s", NULL);
    else fail(err, errlen, "not a feed: unknown root element <%s>", msg);
    goto error;
  }
  if (st.oom) { fail(err, errlen, "out of memory%s", NULL); goto error; }
  if (!make_utf8(f, ctxt->wellFormed && !st.raw)) { fail(err, errlen, "out of memory%s", NULL); goto error; }
  xmlFreeDoc(doc);
  xmlFreeParserCtxt(ctxt);
  return f;

error:
  orr_feed_free(f);
  xmlFreeDoc(doc);
  xmlFreeParserCtxt(ctxt);
  return NULL;
}

void orr_feed_free(orr_feed *f) {
  size_t i, j;
  if (f == NULL) return;
  for (i = 0; i < f->nentries; i++) {
    orr_entry *e = &f->entries[i];
    for (j = 0; j < ORR_E_NFIELDS; j++) free(e->f[j]);
    for (j = 0; j < e->nenc; j++) { free(e->enc[j].href); free(e->enc[j].type); free(e->enc[j].length); }
    for (j = 0; j < e->ntags; j++) free(e->tags[j]);
    free(e->enc);
    free(e->tags);
  }
  for (j = 0; j < ORR_F_NFIELDS; j++) free(f->f[j]);
  free(f->entries);
  free(f->bozo_message);
  free(f);
}
