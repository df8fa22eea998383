/*
** html.c — sanitizing HTML fragments from feeds (see html.h).
**
** The fragment is parsed by libxml2's HTML parser (or, for plain fragments, by orr_htmltok,
** which gives the same events faster), and the output is written anew from what the parser
** reports (see sax_state below): only elements and attributes on the allowlist
** are written, text is re-escaped, every element closed by us, so what a browser parses is
** exactly what we allowed.  The allowlist follows
** feedparser's _HTMLSanitizer (the de-facto reference for feed content) minus form controls
** and with raw-text elements (noscript, xmp, ...) unwrapped, since re-serializing inside
** them is a known mutation-XSS path.  Inline style is kept only through a CSS allowlist.
*/
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <libxml/HTMLtree.h>

#include "buf.h"
#include "clock.h"
#include "html.h"
#include "htmltok.h"
#include "url.h"
#include "xmlinput.h"

#define MAX_DEPTH 256   /* deeper nesting is flattened: its text survives, its tags do not */

static int in_list(const char *name, const char *const *list);

static const char *const allowed_elements[] = {
  "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "big",
  "blockquote", "br", "canvas", "caption", "center", "cite", "code", "col", "colgroup",
  "command", "datagrid", "dd", "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt",
  "em", "fieldset", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5",
  "h6", "header", "hr", "i", "img", "ins", "kbd", "legend", "li", "m", "map", "mark", "menu",
  "meter", "multicol", "nav", "nextid", "ol", "output", "p", "pre", "progress", "q", "s",
  "samp", "section", "small", "source", "spacer", "span", "strike", "strong", "sub",
  "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u",
  "ul", "var", "video", "wbr",
  /* text in other scripts: ruby annotations (Japanese and Chinese readings, which
  ** unwrapped would run into the text they annotate) and bidirectional isolation (an
  ** Arabic or Hebrew name inside English text) */
  "ruby", "rb", "rp", "rt", "rtc", "bdi", "bdo",
  /* inert without the form controls around them (which are not kept) */
  "datalist", "label", "optgroup", "option",
  /* unknown to browsers today: shown as their text, as any unknown element */
  "event-source", "sound", NULL
};

/* Dropped with everything inside them: code and style.  Every other element that is not
** allowed is unwrapped: its tags go, its text (escaped, so inert) stays, as feedparser does.
** Form controls (form, input, button, select, textarea, keygen) are on feedparser's list but
** not on ours: a form in a feed entry can pose as the page's own login box, so only their
** text survives. */
static const char *const dropped_elements[] = {
  "script", "style", "applet", "template", NULL
};

static const char *const void_elements[] = {
  "area", "br", "col", "hr", "img", "source", "track", "wbr", "spacer", "nextid", NULL
};

/* feedparser's acceptable_attributes: presentation and structure, no event handlers. */
static const char *const allowed_attributes[] = {
  "abbr", "accept", "accept-charset", "accesskey", "action", "align", "alt", "autocomplete",
  "autofocus", "axis", "background", "balance", "bgcolor", "bgproperties", "border",
  "bordercolor", "bordercolordark", "bordercolorlight", "bottompadding", "cellpadding",
  "cellspacing", "ch", "challenge", "char", "charoff", "charset", "checked", "choff", "cite",
  "class", "clear", "color", "cols", "colspan", "compact", "contenteditable", "controls",
  "coords", "data", "datafld", "datapagesize", "datasrc", "datetime", "default", "delay", "dir",
  "disabled", "draggable", "dynsrc", "enctype", "end", "face", "for", "form", "frame",
  "galleryimg", "gutter", "headers", "height", "hidden", "hidefocus", "high", "href",
  "hreflang", "hspace", "icon", "id", "inputmode", "ismap", "keytype", "label", "lang",
  "leftspacing", "list", "longdesc", "loop", "loopcount", "loopend", "loopstart", "low",
  "lowsrc", "max", "maxlength", "media", "method", "min", "multiple", "name", "nohref",
  "noshade", "nowrap", "open", "optimum", "pattern", "ping", "point-size", "poster", "pqg",
  "preload", "prompt", "radiogroup", "readonly", "rel", "repeat-max", "repeat-min", "replace",
  "required", "rev", "rightspacing", "rows", "rowspan", "rules", "scope", "selected", "shape",
  "size", "span", "src", "start", "step", "style", "summary", "suppress", "tabindex", "target",
  "template", "title", "toppadding", "type", "unselectable", "urn", "usemap", "valign",
  "value", "variable", "volume", "vrml", "vspace", "width", "wrap", "xml:lang", NULL
};

/* Attributes holding URLs: resolved against the base, and dropped when the scheme is
** not safe (orr_url_clean). */
static const char *const url_attributes[] = {
  "href", "src", "cite", "longdesc", "poster", "usemap", "background", "dynsrc", "lowsrc",
  "action", "data", "datasrc", "icon", "ping", "vrml", NULL
};

static const char *const css_properties[] = {
  "azimuth", "background-color", "border-bottom-color", "border-collapse", "border-color",
  "border-left-color", "border-right-color", "border-top-color", "clear", "color", "cursor",
  "direction", "display", "elevation", "float", "font", "font-family", "font-size",
  "font-style", "font-variant", "font-weight", "height", "letter-spacing", "line-height",
  "overflow", "pause", "pause-after", "pause-before", "pitch", "pitch-range", "richness",
  "speak", "speak-header", "speak-numeral", "speak-punctuation", "speech-rate", "stress",
  "text-align", "text-decoration", "text-indent", "unicode-bidi", "vertical-align",
  "voice-family", "volume", "white-space", "width", NULL
};

char *orr_html_escape(const char *s) {
  orr_buf b;
  orr_buf_init(&b);
  orr_buf_add_escaped(&b, s, strlen(s), 0);
  return orr_buf_take(&b);
}

int orr_html_allowed(const char *name) { return in_list(name, allowed_elements); }

/* ---- XML base ------------------------------------------------------------------ */

char *orr_xml_base(xmlNodePtr node, const char *fallback) {
  for (; node && node->type != XML_DOCUMENT_NODE; node = node->parent) {
    xmlChar *b = xmlNodeGetBase(node->doc, node);
    if (b && orr_url_scheme_ok((const char *)b)) {
      char *s = strdup((const char *)b);
      xmlFree(b);
      return s;
    }
    xmlFree(b);
  }
  return fallback ? strdup(fallback) : NULL;
}

/* ---- CSS ------------------------------------------------------------------------- */

static const char *const css_keywords[] = {
  "aqua", "auto", "black", "block", "blue", "bold", "both", "bottom", "brown", "center",
  "collapse", "dashed", "dotted", "fuchsia", "gray", "green", "!important", "italic", "left",
  "lime", "maroon", "medium", "none", "navy", "normal", "nowrap", "olive", "pointer", "purple",
  "red", "right", "solid", "silver", "teal", "top", "transparent", "underline", "white",
  "yellow", NULL
};

/* Elements after which text continues on a new line ("<p>a</p><p>b</p>" is "a\nb", not
** "ab": words of adjacent blocks must not merge, for people and for the search index). */
static const char *const block_elements[] = {
  "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "h1", "h2", "h3", "h4",
  "h5", "h6", "table", "tr", "td", "th", "section", "article", "header", "footer", "figure",
  "figcaption", "hr", "address", "aside", "nav", "details", "summary", "caption", NULL
};

/* The lists above are looked up for every element and attribute of every entry, so all
** their names go into one hash table, made once for all threads (feeds are parsed on worker
** threads while others download): a lookup is one hash of the name, lower-cased on the
** way, and gives every list the name is on as a bit. */
static const char *const *const lists[] = {
  allowed_elements, dropped_elements, void_elements, allowed_attributes, url_attributes,
  css_properties, css_keywords, block_elements,
};
enum {                        /* bits of the lists, in the order above */
  IS_ELEMENT = 1 << 0, IS_DROPPED = 1 << 1, IS_VOID = 1 << 2, IS_ATTRIBUTE = 1 << 3,
  IS_URL_ATTRIBUTE = 1 << 4, IS_CSS_PROPERTY = 1 << 5, IS_CSS_KEYWORD = 1 << 6,
  IS_BLOCK = 1 << 7
};
#define NLISTS (sizeof lists / sizeof lists[0])
#define NAME_SLOTS 1024       /* a power of two, well above the ~400 names */
static struct { const char *name; unsigned hash, bits; } names[NAME_SLOTS];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }

static unsigned name_hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ ascii_lower((unsigned char)*s)) * 16777619u;
  return h;
}

/* 1 if s, lower-cased, is the (lower-case) t. */
static int same_name(const char *s, const char *t) {
  for (; *s && ascii_lower((unsigned char)*s) == (unsigned char)*t; s++, t++) {}
  return *s == '\0' && *t == '\0';
}

static void fill_names(void) {
  size_t i, j;
  for (i = 0; i < NLISTS; i++)
    for (j = 0; lists[i][j]; j++) {
      unsigned h = name_hash(lists[i][j]), k = h & (NAME_SLOTS - 1);
      while (names[k].name && strcmp(names[k].name, lists[i][j]) != 0) k = (k + 1) & (NAME_SLOTS - 1);
      names[k].name = lists[i][j];
      names[k].hash = h;
      names[k].bits |= 1u << i;
    }
}

/* The lists name is on (any case), as bits; *canon (if given) gets the lists' spelling. */
static unsigned name_bits(const char *name, const char **canon) {
  unsigned h = name_hash(name), k = h & (NAME_SLOTS - 1);
  pthread_once(&names_once, fill_names);
  for (; names[k].name; k = (k + 1) & (NAME_SLOTS - 1))
    if (names[k].hash == h && same_name(name, names[k].name)) {
      if (canon) *canon = names[k].name;
      return names[k].bits;
    }
  return 0;
}

/* 1 if name, exactly as written, is on list. */
static int in_list(const char *name, const char *const *list) {
  const char *canon = NULL;
  size_t i;
  for (i = 0; i < NLISTS && lists[i] != list; i++) {}
  return (name_bits(name, &canon) & (1u << i)) && strcmp(canon, name) == 0;
}

static int is_word(int c) { return isalnum(c) || c == '_'; }

/* feedparser's valid_css_values: a colour, rgb(...) or a short number with a unit. */
static int css_value_ok(const char *v, size_t n) {
  size_t i = 0, d;
  if (n > 0 && v[0] == '#') {
    for (i = 1; i < n; i++) if (!isxdigit((unsigned char)v[i])) return 0;
    return n > 1;
  }
  if (n >= 4 && strncmp(v, "rgb(", 4) == 0) {
    i = 4;
    for (d = 0; i < n && isdigit((unsigned char)v[i]); i++) d++;
    if (!d) return 0;
    if (i < n && v[i] == '%') i++;
    if (i >= n || v[i] != ',') return 0;
    i++;
    while (i < n && isdigit((unsigned char)v[i])) i++;
    if (i < n && v[i] == '%') i++;
    if (i < n && v[i] == ',') i++;
    while (i < n && isdigit((unsigned char)v[i])) i++;
    if (i < n && v[i] == '%') i++;
    if (i < n && v[i] == ')') i++;
    return i == n;
  }
  for (d = 0; i < n && d < 2 && isdigit((unsigned char)v[i]); i++) d++;
  if (i < n && v[i] == '.') i++;
  for (d = 0; i < n && d < 2 && isdigit((unsigned char)v[i]); i++) d++;
  if (i == n) return 1;
  {
    static const char *const units[] = { "cm", "em", "ex", "in", "mm", "pc", "pt", "px", "%", ",", ")", NULL };
    const char *const *u;
    for (u = units; *u; u++)
      if (n - i == strlen(*u) && strncmp(v + i, *u, n - i) == 0) return 1;
  }
  return 0;
}

/* Inline style, the way feedparser's sanitizer does it: url() removed; a style with
** anything but plain words, numbers, colours, quoted words and number lists is dropped
** whole; of the rest, declarations of allowed properties are kept, and background-*,
** border-*, margin-* and padding-* when every word of the value is a known keyword or
** plain value.  No url(), expression(), escapes or comments can survive. */
/* style with every url(...) taken out (a space in its place), into s.  A url( whose
** argument runs into something else than ')' fails where its argument ends; so does every
** url( whose argument starts inside that one ("url(url(url(..."), and those are not read
** again: each was read to the end of the style, 16 s for a style of 400 kB.  (The same
** output: checked against the old scan on 60,000 random styles of url, parentheses,
** blanks and words.) */
static void css_without_urls(orr_buf *s, const char *style) {
  const char *p = style, *q, *r, *failed = style;
  while (*p) {
    if (p + 4 >= failed && strncasecmp(p, "url", 3) == 0) {
      for (q = p + 3; isspace((unsigned char)*q); q++) {}
      if (*q == '(') {
        for (q++; isspace((unsigned char)*q); q++) {}
        for (r = q; *r && !isspace((unsigned char)*r) && *r != ')'; r++) {}
        if (r > q) {
          const char *end = r;
          while (isspace((unsigned char)*r)) r++;
          if (*r == ')') {
            for (r++; isspace((unsigned char)*r); r++) {}
            orr_buf_addc(s, ' ');
            p = r;
            continue;
          }
          failed = end;
        }
      }
    }
    orr_buf_addc(s, *p++);
  }
}

/* The gauntlet: 1 if the n bytes at s are made only of these shapes, anywhere: words,
** spaces, ":,;#%.!", a '-' inside a word, a quoted word, a parenthesized list of numbers. */
static int css_plain(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (isalnum(c) || isspace(c) || strchr(":,;#%.!", c)) { i++; continue; }
    if (c == '-' && i > 0 && i + 1 < n && is_word((unsigned char)s[i - 1]) && is_word((unsigned char)s[i + 1])) {
      i++;
      continue;
    }
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < n && (is_word((unsigned char)s[j]) || isspace((unsigned char)s[j]))) j++;
      if (j < n && s[j] == (char)c && j > i + 1) { i = j + 1; continue; }
    }
    if (c == '(') {
      size_t j = i + 1;
      while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ',' || isspace((unsigned char)s[j]))) j++;
      if (j < n && s[j] == ')' && j > i + 1) { i = j + 1; continue; }
    }
    return 0;
  }
  return 1;
}

/* May a declaration of this (lower-case) property with this value stay?  A listed
** property, or a background/border/margin/padding one whose every word is a keyword or a
** plain value. */
static int css_declaration_ok(const char *low, const char *vs, const char *ve) {
  char head[16];
  size_t h = strcspn(low, "-");
  const char *q;
  if (in_list(low, css_properties)) return 1;
  if (h >= sizeof head) return 0;
  memcpy(head, low, h);
  head[h] = '\0';
  if (strcmp(head, "background") && strcmp(head, "border") && strcmp(head, "margin") && strcmp(head, "padding"))
    return 0;
  for (q = vs; q < ve;) {
    const char *ws;
    char word[32];
    while (q < ve && isspace((unsigned char)*q)) q++;
    if (q >= ve) break;
    for (ws = q; q < ve && !isspace((unsigned char)*q); q++) {}
    if ((size_t)(q - ws) >= sizeof word) return 0;
    memcpy(word, ws, (size_t)(q - ws));
    word[q - ws] = '\0';
    if (!in_list(word, css_keywords) && !css_value_ok(ws, (size_t)(q - ws))) return 0;
  }
  return 1;
}

static void css_clean(orr_buf *out, const char *style) {
  orr_buf s, res;
  const char *p;
  int first = 1;
  orr_buf_init(&s);
  css_without_urls(&s, style);
  if (!orr_buf_ok(&s) || s.len == 0 || !css_plain(s.data, s.len)) { orr_buf_free(&s); return; }
  /* declarations: name ':' value [';'], nothing else */
  orr_buf_init(&res);
  for (p = s.data; *p;) {
    const char *ns, *ne, *vs, *ve;
    char low[40];
    size_t len, k;
    while (isspace((unsigned char)*p)) p++;
    if (!*p) break;
    for (ns = p; is_word((unsigned char)*p) || *p == '-'; p++) {}
    ne = p;
    while (isspace((unsigned char)*p)) p++;
    if (ne == ns || *p != ':') goto reject;
    for (p++; isspace((unsigned char)*p); p++) {}
    for (vs = p; *p && *p != ':' && *p != ';'; p++) {}
    ve = p;
    if (*p == ':') goto reject;
    if (*p == ';') p++;
    len = (size_t)(ne - ns);
    if (len >= sizeof low || ve == vs) continue;
    for (k = 0; k < len; k++) low[k] = (char)tolower((unsigned char)ns[k]);
    low[len] = '\0';
    if (!css_declaration_ok(low, vs, ve)) continue;
    if (!first) orr_buf_addc(&res, ' ');
    orr_buf_add(&res, ns, len);
    orr_buf_adds(&res, ": ");
    orr_buf_add(&res, vs, (size_t)(ve - vs));
    orr_buf_addc(&res, ';');
    first = 0;
  }
  if (res.len) orr_buf_add(out, res.data, res.len);
reject:                          /* not a plain list of declarations: nothing is kept */
  orr_buf_free(&res);
  orr_buf_free(&s);
}

/* ---- text of XML nodes ---------------------------------------------------------- */

#define MAX_ENTITY_TEXT 1024

static void entity_text(orr_buf *out, xmlNodePtr ref) {
  xmlEntityPtr ent = (xmlEntityPtr)ref->children;
  const htmlEntityDesc *h;
  if (ent && ent->type == XML_ENTITY_DECL && ent->content) {
    const char *c = (const char *)ent->content;
    size_t n = strlen(c);
    if (n <= MAX_ENTITY_TEXT && !strchr(c, '&') && !strchr(c, '<')) {
      orr_buf_add(out, c, n);
      return;
    }
  } else if ((h = htmlEntityLookup(ref->name)) != NULL) {
    orr_buf_add_utf8(out, h->value);
    return;
  }
  orr_buf_addc(out, '&');
  orr_buf_adds(out, (const char *)ref->name);
  orr_buf_addc(out, ';');
}

static void xml_text(orr_buf *out, xmlNodePtr n, int depth) {
  for (; n; n = n->next) {
    switch (n->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        if (n->content) orr_buf_adds(out, (const char *)n->content);
        break;
      case XML_ENTITY_REF_NODE:
        entity_text(out, n);
        break;
      case XML_ELEMENT_NODE:
        if (depth < MAX_DEPTH) xml_text(out, n->children, depth + 1);
        break;
      default:
        break;
    }
  }
}

void orr_xml_text(orr_buf *out, xmlNodePtr first) { xml_text(out, first, 0); }

/* ---- serializer ------------------------------------------------------------------ */

/* What the sanitizer does with an element. */
enum el_kind {
  EL_DROP,     /* nothing of it is written, not even its text (script, style) */
  EL_UNWRAP,   /* its tags go, its content stays */
  EL_KEEP,     /* written with its allowed attributes */
  EL_VOID      /* written as an empty tag; what a lenient parser nested in it follows it */
};

/* The kind of element name (any case); *kept is set to the lower-case name of a kept one. */
static enum el_kind element_kind(const char *name, const char **kept) {
  unsigned bits = name_bits(name, kept);
  if (bits & IS_DROPPED) return EL_DROP;
  if (!(bits & IS_ELEMENT)) return EL_UNWRAP;
  return bits & IS_VOID ? EL_VOID : EL_KEEP;
}

static void emit_attr(orr_buf *out, const char *name, const char *value) {
  orr_buf_addc(out, ' ');
  orr_buf_adds(out, name);
  orr_buf_adds(out, "=\"");
  orr_buf_add_escaped(out, value, strlen(value), 1);
  orr_buf_addc(out, '"');
}

/* rel without "opener": with it, a link a feed opens in a new tab (target="_blank") gets a
** handle on the planet's own tab, and can send it to a look-alike page (browsers give such
** a link noopener unless rel asks otherwise). */
static void emit_rel(orr_buf *out, const char *value) {
  orr_buf kept;
  const char *p = value;
  int opener = 0;
  orr_buf_init(&kept);
  while (*p) {
    size_t n;
    while (*p && strchr(" \t\n\r\f", *p)) p++;
    for (n = 0; p[n] && !strchr(" \t\n\r\f", p[n]); n++) {}
    if (n == 6 && strncasecmp(p, "opener", 6) == 0) {
      opener = 1;
    } else if (n) {
      if (kept.len) orr_buf_addc(&kept, ' ');
      orr_buf_add(&kept, p, n);
    }
    p += n;
  }
  if (!opener) emit_attr(out, "rel", value);                /* (nearly always) as it came */
  else if (kept.len && orr_buf_ok(&kept)) emit_attr(out, "rel", kept.data);
  orr_buf_free(&kept);
}

/* One attribute (name in any case) if it is allowed: URLs resolved against base and
** dropped when unsafe, style through the CSS allowlist. */
static void emit_clean_attr(orr_buf *out, const char *name, const char *value, const char *base) {
  const char *lname = NULL;
  unsigned bits = name_bits(name, &lname);
  if (!(bits & IS_ATTRIBUTE)) return;
  if (bits & IS_URL_ATTRIBUTE) {
    char *u;
    if (orr_url_clean_absolute(value)) { emit_attr(out, lname, value); return; }   /* no copies */
    u = orr_url_clean(value, base);
    if (u) emit_attr(out, lname, u);
    free(u);
  } else if (strcmp(lname, "style") == 0) {
    orr_buf css;
    orr_buf_init(&css);
    css_clean(&css, value);
    if (css.len) emit_attr(out, lname, css.data);
    orr_buf_free(&css);
  } else if (strcmp(lname, "rel") == 0) {
    emit_rel(out, value);
  } else {
    emit_attr(out, lname, value);
  }
}

/* The attributes of an element of an XML document (Atom xhtml content). */
static void emit_xml_attrs(orr_buf *out, xmlNodePtr node, const char *base) {
  xmlAttrPtr a;
  char *own = NULL;
  int own_done = 0;
  for (a = node->properties; a; a = a->next) {
    const char *name = (const char *)a->name;
    unsigned bits;
    xmlChar *v;
    if (a->ns && a->ns->prefix && strcmp((const char *)a->ns->prefix, "xml") == 0) {
      if (!same_name(name, "lang")) continue;
      name = "xml:lang";
    }
    bits = name_bits(name, NULL);
    if (!(bits & IS_ATTRIBUTE)) continue;
    if (!own_done && (bits & IS_URL_ATTRIBUTE)) {
      /* in a feed's own XML, xml:base may change at any element */
      own = orr_xml_base(node, base);
      own_done = 1;
    }
    v = xmlNodeGetContent((xmlNodePtr)a);
    emit_clean_attr(out, name, v ? (const char *)v : "", own ? own : base);
    xmlFree(v);
  }
  free(own);
}

static void emit_children(orr_buf *out, xmlNodePtr node, const char *base, int depth);

/* A node of an XML document, recursively (the depth of an XML tree is bounded by
** libxml2's own limit, 256 without XML_PARSE_HUGE). */
static void emit_node(orr_buf *out, xmlNodePtr n, const char *base, int depth) {
  const char *lname = NULL;
  enum el_kind kind;
  switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
      if (n->content) orr_buf_add_escaped(out, (const char *)n->content,
                                          strlen((const char *)n->content), 0);
      return;
    case XML_ENTITY_REF_NODE: {        /* see orr_xml_text */
      orr_buf t;
      orr_buf_init(&t);
      entity_text(&t, n);
      if (t.len) orr_buf_add_escaped(out, t.data, t.len, 0);
      orr_buf_free(&t);
      return;
    }
    case XML_ELEMENT_NODE:
      break;
    default:                           /* comments, PIs, DTD nodes */
      return;
  }
  kind = element_kind((const char *)n->name, &lname);
  if (kind == EL_DROP) return;
  if (kind == EL_UNWRAP || depth > MAX_DEPTH) { emit_children(out, n, base, depth + 1); return; }
  orr_buf_addc(out, '<');
  orr_buf_adds(out, lname);
  emit_xml_attrs(out, n, base);
  if (kind == EL_VOID) { orr_buf_adds(out, " />"); emit_children(out, n, base, depth + 1); return; }
  orr_buf_addc(out, '>');
  emit_children(out, n, base, depth + 1);
  orr_buf_adds(out, "</");
  orr_buf_adds(out, lname);
  orr_buf_addc(out, '>');
}

static void emit_children(orr_buf *out, xmlNodePtr node, const char *base, int depth) {
  xmlNodePtr c;
  for (c = node->children; c; c = c->next) emit_node(out, c, base, depth);
}

/* HTML fragments are sanitized as libxml2's HTML parser reports them (SAX), without
** building a tree: the parser closes elements itself (implied and misplaced end tags),
** so its events are exactly the tree it would have built, and building that tree and
** freeing it again was half the cost of sanitizing.  The fragment is parsed inside a <div>
** of ours (text at the top of a fragment would otherwise be wrapped in an implied <p>);
** what is written is the content of the document's first <body> minus that wrapper's tags
** (content after a stray </div> follows it in the body, and is kept).  Text extraction
** (orr_html_text) runs the same way with text_only set. */
typedef struct {
  orr_buf *out;
  const char *base;
  int level;            /* open elements, <html> being 1 */
  int body;             /* level of the first <body>; 0 before it, -1 once it ended */
  int wrapper;          /* our <div>: 0 not seen yet, 1 open, 2 closed */
  int skip;             /* > 0 inside a dropped element: its nesting */
  int text_only;        /* orr_html_text: the text, with line breaks for blocks */
  /* the name of each open element of the fragment that was written with an end tag to
  ** come, else NULL: libxml2 does not always give the end event the start event's name
  ** (in text_only mode: non-NULL for a block element, whose end is a line break) */
  const char *open[MAX_DEPTH + 1];
} sax_state;

/* The depth of the current element in the fragment (its top elements are at 0, whether
** children of the wrapper or after it); negative outside the body and for the wrapper.
** (Text extraction has no wrapper: there the wrapper is a top element.) */
static int sax_depth(const sax_state *s) {
  if (s->body <= 0 || s->level <= s->body) return -1;
  return s->level - s->body - 1 - (s->wrapper == 1);
}

static void new_line(orr_buf *out) {
  if (out->len && out->data[out->len - 1] != '\n') orr_buf_addc(out, '\n');
}

/* Text extraction (orr_html_text): the wrapper is an element like the others; script and
** style go with their text; <br> and the ends of blocks are line breaks ("<p>a</p><p>b</p>"
** is "a\nb", not "ab": words of adjacent blocks must not merge).  Elements nested deeper
** than MAX_DEPTH give no text. */
static void text_start(sax_state *s, const char *name, int d) {
  int block;
  if (d >= MAX_DEPTH || strcmp(name, "script") == 0 || strcmp(name, "style") == 0) {
    s->skip = 1;
    return;
  }
  block = in_list(name, block_elements);
  s->open[d] = block ? "" : NULL;
  if (strcmp(name, "br") == 0) orr_buf_addc(s->out, '\n');
  if (block) new_line(s->out);
}

static void text_end(sax_state *s, int d) {
  if (d < MAX_DEPTH && s->open[d]) new_line(s->out);
}

static void on_start(void *u, const char *name, const char **atts) {
  sax_state *s = u;
  const char *lname = NULL;
  enum el_kind kind;
  int d;
  s->level++;
  if (s->skip) { s->skip++; return; }
  if (s->body == 0) {
    if (s->level == 2 && strcmp(name, "body") == 0) s->body = 2;
    return;
  }
  if (s->body < 0 || s->level <= s->body) return;
  if (s->text_only) { text_start(s, name, sax_depth(s)); return; }
  if (s->wrapper == 0) { s->wrapper = 1; return; }   /* the body's first element is our <div> */
  d = sax_depth(s);
  kind = element_kind(name, &lname);
  if (kind == EL_DROP) { s->skip = 1; return; }
  if (d > MAX_DEPTH) return;                         /* too deep: unwrapped */
  s->open[d] = kind == EL_KEEP ? lname : NULL;
  if (kind == EL_UNWRAP) return;
  orr_buf_addc(s->out, '<');
  orr_buf_adds(s->out, lname);
  for (; atts && atts[0]; atts += 2) {
    const char *v = atts[1];
    /* a bare attribute: libxml2's tree gives a boolean one its own name as value */
    if (v == NULL) v = htmlIsBooleanAttr((const xmlChar *)atts[0]) ? atts[0] : "";
    emit_clean_attr(s->out, atts[0], v, s->base);
  }
  orr_buf_adds(s->out, kind == EL_VOID ? " />" : ">");
}

static void on_end(void *u, const char *name) {
  sax_state *s = u;
  int d = sax_depth(s);
  if (s->skip) {
    s->skip--;
  } else if (s->body > 0 && s->level == s->body) {
    s->body = -1;                                    /* later content is not the fragment's */
  } else if (s->text_only) {
    if (d >= 0) text_end(s, d);
  } else if (s->wrapper == 1 && s->level == s->body + 1) {
    s->wrapper = 2;
  } else if (d >= 0 && d <= MAX_DEPTH && s->open[d]) {
    orr_buf_adds(s->out, "</");
    orr_buf_adds(s->out, s->open[d]);
    orr_buf_addc(s->out, '>');
  }
  s->level--;
}

static void on_text(void *u, const char *text, size_t len) {
  sax_state *s = u;
  if (s->skip || s->body <= 0 || s->level < s->body || len == 0) return;
  if (s->text_only) orr_buf_add(s->out, text, len);
  else orr_buf_add_escaped(s->out, text, len, 0);
}

/* The same handlers, as libxml2 calls them and as orr_htmltok does. */
static void sax_start(void *ctx, const xmlChar *name, const xmlChar **atts) {
  on_start(((htmlParserCtxtPtr)ctx)->_private, (const char *)name, (const char **)atts);
}
static void sax_end(void *ctx, const xmlChar *name) {
  on_end(((htmlParserCtxtPtr)ctx)->_private, (const char *)name);
}
static void sax_text(void *ctx, const xmlChar *text, int len) {
  if (len > 0) on_text(((htmlParserCtxtPtr)ctx)->_private, (const char *)text, (size_t)len);
}
static const orr_html_events tok_events = { on_start, on_end, on_text };

/* Whether sax_run tries orr_htmltok first (orr_html_fast_path). */
static int fast_path = 1;

int orr_html_fast_path(int on) {
  int was = fast_path;
  fast_path = on;
  return was;
}

/* ---- entry points ---------------------------------------------------------------- */

/* One parser context serves many fragments: a feed has thousands of them, and a fresh
** context (with its dictionary) for each costs more than parsing a small one.  One per
** thread: a libxml2 context is not shared.  The sanitizer has its own, with its handlers.
** Each is replaced after CTXT_USES fragments: its dictionary keeps every element and
** attribute name it has seen, and feeds can make up any number of names. */
#define CTXT_USES 1024
static __thread htmlParserCtxtPtr ctxt, sax_ctxt;
static __thread int ctxt_uses, sax_ctxt_uses;

void orr_html_thread_end(void) {
  if (ctxt) htmlFreeParserCtxt(ctxt);
  if (sax_ctxt) htmlFreeParserCtxt(sax_ctxt);
  ctxt = sax_ctxt = NULL;
}

/* *c, replaced by a new context when it has served CTXT_USES times. */
static void recycle(htmlParserCtxtPtr *c, int *uses) {
  if (*c && ++*uses > CTXT_USES) {
    htmlFreeParserCtxt(*c);
    *c = NULL;
  }
  if (*c == NULL) *uses = 0;
}

#define HTML_OPTS (HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
                   HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT)

/* libxml2's HTML parser over len bytes in enc (UTF-8, or at least one that writes '<' as
** the byte '<'), with the context c or a fresh one: every HTML document orrery parses comes
** through here, its tags cut to ORR_MAX_ATTRIBUTES attributes first (orr_attributes_capped:
** libxml2's time grows with the square of a tag's attributes).  With tree set, a document
** of more than ORR_MAX_ELEMENTS elements is not read (NULL): its tree would not fit in a
** bounded memory (the sanitizer's handlers build none). */
static htmlDocPtr read_html(htmlParserCtxtPtr c, const char *html, size_t len, const char *url, const char *enc,
                            int tree) {
  size_t n, tags, elements;
  char *capped, *clean = NULL;
  htmlDocPtr doc = NULL;
  /* NUL bytes go (browsers ignore them in a page): libxml2's HTML parser ended the page at
  ** the first one, and an article after a stray NUL in an ad's markup was lost */
  if (len > 0 && memchr(html, '\0', len) != NULL) {
    clean = malloc(len);
    if (clean != NULL) {
      size_t i, j = 0;
      for (i = 0; i < len; i++)
        if (html[i] != '\0') clean[j++] = html[i];
      html = clean;
      len = j;
    }
  }
  capped = orr_attributes_capped(html, len, 1, ORR_MAX_ATTRIBUTES, &n, &tags, &elements);
  if (capped) html = capped, len = n;
  if (len > 0 && len <= (size_t)0x7fffffff && !(tree && elements > ORR_MAX_ELEMENTS))
    doc = c ? htmlCtxtReadMemory(c, html, (int)len, url, enc, HTML_OPTS)
            : htmlReadMemory(html, (int)len, url, enc, HTML_OPTS);
  free(capped);
  free(clean);
  return doc;
}

htmlDocPtr orr_html_parse(const char *html, size_t len, const char *url) {
  htmlDocPtr doc;
  recycle(&ctxt, &ctxt_uses);
  if (ctxt == NULL) ctxt = htmlNewParserCtxt();
  doc = read_html(ctxt, html, len, url, "UTF-8", 1);
  if (doc == NULL) doc = htmlNewDocNoDtD(NULL, NULL);
  return doc;
}

/* The charset a <meta> in the first 1024 bytes of a page declares (<meta charset=x>, or
** <meta http-equiv=Content-Type content="text/html; charset=x">), into buf; NULL if none.
** The prescan of HTML's encoding sniffing, simplified: the first <meta> naming one wins. */
static const char *meta_charset(const char *d, size_t len, char *buf, size_t n) {
  size_t i;
  if (len > 1024) len = 1024;
  for (i = 0; i + 5 < len; i++) {
    size_t j, end;
    if (d[i] != '<' || strncasecmp(d + i + 1, "meta", 4) != 0) continue;
    for (end = i + 5; end < len && d[end] != '>'; end++) {}
    for (j = i + 5; j + 7 < end; j++) {
      size_t k = j + 7, m = 0;
      if (strncasecmp(d + j, "charset", 7) != 0) continue;
      while (k < end && (d[k] == ' ' || d[k] == '\t')) k++;
      if (k >= end || d[k] != '=') continue;
      k++;
      while (k < end && (d[k] == ' ' || d[k] == '"' || d[k] == '\'')) k++;
      while (k < end && m + 1 < n && (isalnum((unsigned char)d[k]) || strchr("._:-", d[k]))) buf[m++] = d[k++];
      buf[m] = '\0';
      if (m > 0) return buf;
    }
  }
  return NULL;
}

/* The language the page's <html lang> (or xml:lang) gives in its first 1024 bytes, lower
** case, into buf ("" if none). */
static const char *page_lang(const char *d, size_t len, char *buf, size_t n) {
  size_t i, m = 0;
  if (len > 1024) len = 1024;
  buf[0] = '\0';
  for (i = 0; i + 5 < len; i++) {
    size_t end;
    if (d[i] != '<' || strncasecmp(d + i + 1, "html", 4) != 0 || isalnum((unsigned char)d[i + 5])) continue;
    for (end = i + 5; end < len && d[end] != '>'; end++) {}
    for (i += 5; i + 5 < end; i++) {
      if (strncasecmp(d + i, "lang", 4) != 0 || isalnum((unsigned char)d[i - 1]) || d[i - 1] == '-')
        continue;                              /* lang or xml:lang, not data-lang */
      for (i += 4; i < end && (d[i] == ' ' || d[i] == '=' || d[i] == '"' || d[i] == '\''); i++) {}
      while (i < end && m + 1 < n && (isalnum((unsigned char)d[i]) || d[i] == '-' || d[i] == '_'))
        buf[m++] = (char)tolower((unsigned char)d[i++]);
      break;
    }
    break;
  }
  buf[m] = '\0';
  return buf;
}

/* The legacy encodings a page in language lang that declares none is likeliest in (the
** ones its language's Windows and web used), best first: what browsers guess from their
** locale, from the page's own language instead.  NULL: windows-1252. */
static const char *const *lang_encodings(const char *lang) {
  static const struct { const char *langs; const char *enc[3]; } by[] = {
    { " zh ", { "GB18030", "BIG5", NULL } },
    { " ja ", { "SHIFT_JIS", "EUC-JP", NULL } },
    { " ko ", { "EUC-KR", NULL } },
    { " ru uk be bg sr mk kk ky tg mn ", { "WINDOWS-1251", "KOI8-R", NULL } },
    { " pl cs sk hu sl hr ro bs sq ", { "WINDOWS-1250", NULL } },
    { " el ", { "WINDOWS-1253", NULL } },
    { " tr az ", { "WINDOWS-1254", NULL } },
    { " he iw yi ", { "WINDOWS-1255", NULL } },
    { " ar fa ur ", { "WINDOWS-1256", NULL } },
    { " lt lv et ", { "WINDOWS-1257", NULL } },
    { " vi ", { "WINDOWS-1258", NULL } },
    { " th ", { "WINDOWS-874", NULL } },
  };
  static const char *const big5[] = { "BIG5", NULL };
  char word[24], primary[24];
  size_t i, k = strcspn(lang, "-_");
  if (!lang[0] || strlen(lang) > 16) return NULL;
  if (k == 2 && !strncmp(lang, "zh", 2) && (strstr(lang, "hant") || strstr(lang, "tw") || strstr(lang, "hk") ||
                                            strstr(lang, "mo")))
    return big5;                               /* traditional characters: Taiwan, Hong Kong, Macau */
  snprintf(word, sizeof word, " %s ", lang);
  snprintf(primary, sizeof primary, " %.*s ", (int)k, lang);
  for (i = 0; i < sizeof by / sizeof *by; i++)
    if (strstr(by[i].langs, word) || strstr(by[i].langs, primary)) return by[i].enc;
  return NULL;
}

/* The first of the encodings lang suggests that reads the page without a byte it refuses,
** else windows-1252.  The page made UTF-8 by that reading goes to *utf8 (*ulen bytes) when
** one was made, so that it is not converted twice. */
static const char *guess_encoding(const char *d, size_t len, const char *lang, char **utf8, size_t *ulen) {
  const char *const *enc = lang_encodings(lang);
  if (enc && strcmp(enc[0], "WINDOWS-1251") == 0) {
    /* both read any bytes: the case of the letters tells them apart (text is mostly lower
    ** case, which windows-1251 puts at 0xE0-0xFF and KOI8-R at 0xC0-0xDF) */
    size_t i, lower = 0, upper = 0;
    for (i = 0; i < len; i++) {
      unsigned char c = (unsigned char)d[i];
      if (c >= 0xE0) lower++; else if (c >= 0xC0) upper++;
    }
    return upper > lower ? "KOI8-R" : "WINDOWS-1251";
  }
  for (; enc && *enc; enc++) {
    int bad;
    char *u = orr_legacy_to_utf8(d, len, *enc, ulen, &bad);
    if (u && !bad) { *utf8 = u; return *enc; }
    free(u);
  }
  return "windows-1252";
}

static int non_ascii(const char *d, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) if ((unsigned char)d[i] >= 0x80) return 1;
  return 0;
}

/* The encoding to read a fetched page in: a byte order mark, else UTF-8 when the bytes past
** ASCII are UTF-8, else the charset HTTP named, else the one a <meta> declares, else the
** legacy encoding of the page's language (<html lang>) that reads it, else windows-1252
** (what browsers take for a page that says nothing).  A declared name libxml2 does not
** know counts as none; ISO-8859-1 and ASCII are read as windows-1252. */
static const char *page_encoding(const char *d, size_t len, const char *http, char *buf, size_t n, char **utf8,
                                 size_t *ulen) {
  const unsigned char *u = (const unsigned char *)d;
  char declared[48];
  const char *name, *alias;
  int valid;
  if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) return "UTF-8";
  if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) return "UTF-16LE";
  if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) return "UTF-16BE";
  valid = orr_utf8_valid(d, len);                 /* (asked below up to three times: once) */
  name = http && http[0] ? http : meta_charset(d, len, declared, sizeof declared);
  /* a name the page's first bytes contradict (UTF-32 or EBCDIC for a page that starts with
  ** an ASCII "<") is no name: then the <meta>'s, unless it is one too */
  if (name && name == http && orr_charset_contradicted(d, len, name))
    name = meta_charset(d, len, declared, sizeof declared);
  if (name && orr_charset_contradicted(d, len, name)) name = NULL;
  /* said UTF-8 (by HTTP) but not UTF-8: a server default over a page saved otherwise; its
  ** <meta>, else windows-1252, reads it better than replacement characters would */
  if (name && (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8")) && !valid)
    name = name == http ? meta_charset(d, len, declared, sizeof declared) : NULL;
  /* said another encoding, but the bytes past ASCII are all well-formed UTF-8: a stale
  ** <meta> or a server's default (Apache's AddDefaultCharset ISO-8859-1) over a page saved
  ** as UTF-8.  Text in a legacy encoding is practically never valid UTF-8 (its letters
  ** would have to fall in UTF-8's lead and continuation bytes, pair by pair, throughout), so
  ** the bytes win over the label; read as labelled, every accent became two letters. */
  if (name && valid && non_ascii(d, len)) return "UTF-8";
  /* (a page that says UTF-16 without a byte order mark is ASCII-compatible: HTML reads it so) */
  if (name && strncasecmp(name, "utf-16", 6) != 0 && strncasecmp(name, "utf16", 5) != 0) {
    alias = orr_encoding_alias(name, buf, n);
    if (alias == NULL) { snprintf(buf, n, "%s", name); return buf; }
    if (alias[0]) return alias;
  }
  if (valid) return "UTF-8";
  return guess_encoding(d, len, page_lang(d, len, declared, sizeof declared), utf8, ulen);
}

htmlDocPtr orr_html_parse_page(const char *html, size_t len, const char *url, const char *charset) {
  char buf[64], *utf8 = NULL;
  size_t n;
  const char *enc = page_encoding(html, len, charset, buf, sizeof buf, &utf8, &n);
  htmlDocPtr doc = NULL;
  int bad;
  /* any other encoding made UTF-8 first (if the guess did not already): libxml2's converter
  ** would end the page at the first byte it refuses (orr_legacy_to_utf8), and the
  ** attributes are counted in UTF-8 */
  if (utf8) {
    html = utf8;
    len = n;
    enc = "UTF-8";
  } else if (strcasecmp(enc, "UTF-8") != 0) {
    size_t mark = strncasecmp(enc, "UTF-16", 6) == 0 ? 2 : 0;   /* (its byte order mark) */
    if ((utf8 = orr_legacy_to_utf8(html + mark, len - mark, enc, &n, &bad)) != NULL) {
      html = utf8;
      len = n;
      enc = "UTF-8";
    }
  }
  recycle(&ctxt, &ctxt_uses);
  if (ctxt == NULL) ctxt = htmlNewParserCtxt();
  doc = read_html(ctxt, html, len, url, enc, 1);
  free(utf8);
  if (doc == NULL) doc = htmlNewDocNoDtD(NULL, NULL);
  return doc;
}

static htmlParserCtxtPtr sanitizer_ctxt(void) {
  recycle(&sax_ctxt, &sax_ctxt_uses);
  if (sax_ctxt == NULL && (sax_ctxt = htmlNewParserCtxt()) != NULL) {
    xmlSAXHandler *h = sax_ctxt->sax;           /* the context's own copy, freed with it */
    memset(h, 0, sizeof *h);
    h->initialized = 1;                         /* SAX1 callbacks, as the HTML parser calls them */
    h->startElement = sax_start;
    h->endElement = sax_end;
    h->characters = sax_text;
    h->ignorableWhitespace = sax_text;
    /* comments: left NULL, so not written.  cdataBlock too: libxml2 then gives script and
    ** style text to characters, where skip (set at their start) drops it, as it does when
    ** orr_htmltok gives that text */
  }
  return sax_ctxt;
}

static void sax_begin(sax_state *s, orr_buf *out, const char *base, int text_only) {
  memset(s, 0, sizeof *s);
  s->out = out;
  s->base = base;
  s->text_only = text_only;
}

/* Run the sanitizer's handlers over a fragment (inside our <div>), writing to out: from
** orr_htmltok's events when it reads the fragment, else from libxml2's. */
static int sax_run(const char *html, size_t len, const char *base, int text_only, orr_buf *out) {
  orr_buf in;
  htmlParserCtxtPtr c;
  sax_state s;
  size_t mark = out->len;
  orr_buf_reserve(out, len + len / 8);          /* about what comes out */
  sax_begin(&s, out, base, text_only);
  if (fast_path) {
    on_start(&s, "html", NULL);
    on_start(&s, "body", NULL);
    on_start(&s, "div", NULL);
    if (orr_htmltok(html, len, &tok_events, &s)) {   /* up to the end of our <div> */
      on_end(&s, "body");
      on_end(&s, "html");
      return 1;
    }
    out->len = mark;                            /* declined: forget what it wrote */
    if (out->data) out->data[mark] = '\0';
    sax_begin(&s, out, base, text_only);
  }
  if ((c = sanitizer_ctxt()) == NULL) return 0;
  orr_buf_init(&in);
  orr_buf_reserve(&in, len + 5);
  orr_buf_adds(&in, "<div>");
  {
    /* bytes that are not UTF-8 (a recipe's string: feeds and pages come repaired) read as
    ** windows-1252, as in feeds: libxml2 passed them through, invalid, into what we write */
    int bad;
    char *fixed = orr_utf8_valid(html, len) ? NULL : orr_utf8_from_mixed(html, len, &bad);
    orr_buf_add(&in, fixed ? fixed : html, fixed ? strlen(fixed) : len);
    free(fixed);
  }
  /* and only XML's characters, whatever libxml2's HTML parser would pass through: a control
  ** character (JSON can write \u0008, a recipe any byte) would leave the planet's own Atom
  ** and RSS feeds not well-formed, for every reader of them */
  if (orr_buf_ok(&in)) in.len = 5 + orr_xml_chars_strip(in.data + 5, in.len - 5);
  if (!orr_buf_ok(&in) || in.len > (size_t)0x7fffffff) { orr_buf_free(&in); return 0; }
  c->_private = &s;
  read_html(c, in.data, in.len, NULL, "UTF-8", 0);   /* no tree: the handlers wrote out */
  c->_private = NULL;
  orr_buf_free(&in);
  return 1;
}

/* Seconds this thread has spent in the sanitizer (the refresh's per-stage account). */
static __thread double sanitize_time;

double orr_html_sanitize_time(void) { return sanitize_time; }

char *orr_html_sanitize(const char *html, size_t len, const char *base) {
  orr_buf out;
  double t0;
  orr_buf_init(&out);
  if (len == 0) return orr_buf_take(&out);
  if (!memchr(html, '<', len) && !memchr(html, '&', len) && orr_utf8_xml_chars(html, len, 1)) {
    orr_buf_add_escaped(&out, html, len, 0);          /* plain text: nothing to parse */
    return orr_buf_take(&out);
  }
  t0 = orr_clock_now();
  if (!sax_run(html, len, base, 0, &out)) { orr_buf_free(&out); return NULL; }
  sanitize_time += orr_clock_now() - t0;
  return orr_buf_take(&out);
}

char *orr_html_sanitize_node(xmlNodePtr node, const char *base) {
  orr_buf out;
  double t0 = orr_clock_now();
  orr_buf_init(&out);
  emit_children(&out, node, base, 0);
  sanitize_time += orr_clock_now() - t0;
  return orr_buf_take(&out);
}


static void collect_text(orr_buf *out, xmlNodePtr n, int depth) {
  for (; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) orr_buf_adds(out, (const char *)n->content);
    } else if (n->type == XML_ELEMENT_NODE && depth < MAX_DEPTH) {
      const char *name = (const char *)n->name;
      int block = in_list(name, block_elements);
      if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0) continue;
      if (strcmp(name, "br") == 0) orr_buf_addc(out, '\n');
      if (block) new_line(out);
      collect_text(out, n->children, depth + 1);
      if (block) new_line(out);
    }
  }
}

void orr_html_text_scan(const char *html, size_t len, orr_text_out *out, void *ud) {
  const char *p = html, *end = html + len;
  while (p < end) {
    const char *lt = memchr(p, '<', (size_t)(end - p)), *stop = lt ? lt : end;
    while (p < stop) {                       /* text up to the next tag */
      const char *amp = memchr(p, '&', (size_t)(stop - p)), *semi;
      char u[4];
      if (amp == NULL) { out(ud, p, (size_t)(stop - p)); p = stop; break; }
      if (amp > p) out(ud, p, (size_t)(amp - p));
      semi = memchr(amp, ';', (size_t)(stop - amp) < 12 ? (size_t)(stop - amp) : 12);
      p = amp + 1;
      if (semi == NULL) { out(ud, "&", 1); continue; }
      if (amp[1] == '#') {
        char *e;
        unsigned long v = (amp[2] == 'x' || amp[2] == 'X') ? strtoul(amp + 3, &e, 16)
                                                           : strtoul(amp + 2, &e, 10);
        if (e == semi && v > 0 && v <= 0x10FFFF) {
          out(ud, u, (size_t)orr_utf8_encode(u, (unsigned)v));
          p = semi + 1;
        } else {
          out(ud, "&", 1);
        }
      } else {
        const char *name = amp + 1, *c = NULL;
        size_t n = (size_t)(semi - name);
        if (n == 3 && memcmp(name, "amp", 3) == 0) c = "&";
        else if (n == 2 && memcmp(name, "lt", 2) == 0) c = "<";
        else if (n == 2 && memcmp(name, "gt", 2) == 0) c = ">";
        else if (n == 4 && memcmp(name, "quot", 4) == 0) c = "\"";
        else if (n == 4 && memcmp(name, "apos", 4) == 0) c = "'";
        out(ud, c ? c : "&", 1);
        if (c) p = semi + 1;
      }
    }
    if (lt) {                                /* a tag: only its name matters */
      const char *gt = memchr(lt, '>', (size_t)(end - lt)), *q = lt + 1;
      char name[16];
      size_t n = 0;
      if (*q == '/') q++;
      while (q < end && n + 1 < sizeof name && isalnum((unsigned char)*q))
        name[n++] = (char)tolower((unsigned char)*q++);
      name[n] = '\0';
      if (strcmp(name, "br") == 0) out(ud, NULL, 1);
      else if (n && in_list(name, block_elements)) out(ud, NULL, 0);
      p = gt ? gt + 1 : end;
    }
  }
}

/* orr_html_text_sanitized's sink: text appended, <br> a line break, a block's edge one
** unless the text already ends a line. */
static void text_to_buf(void *ud, const char *s, size_t n) {
  orr_buf *out = ud;
  if (s) orr_buf_add(out, s, n);
  else if (n) orr_buf_addc(out, '\n');
  else new_line(out);
}

char *orr_html_text_sanitized(const char *html, size_t len) {
  orr_buf out;
  orr_buf_init(&out);
  orr_html_text_scan(html, len, text_to_buf, &out);
  while (out.len && out.data[out.len - 1] == '\n') out.data[--out.len] = '\0';
  return orr_buf_take(&out);
}

char *orr_node_text(xmlNodePtr node) {
  orr_buf out;
  orr_buf_init(&out);
  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE ||
      node->type == XML_ATTRIBUTE_NODE) {
    xmlChar *c = xmlNodeGetContent(node);
    if (c) { orr_buf_adds(&out, (const char *)c); xmlFree(c); }
  } else {
    collect_text(&out, node->children, 0);
  }
  return orr_buf_take(&out);
}

char *orr_html_text(const char *html, size_t len) {
  orr_buf out;
  orr_buf_init(&out);
  if (len == 0) return orr_buf_take(&out);
  if (!sax_run(html, len, NULL, 1, &out)) { orr_buf_free(&out); return NULL; }
  while (out.len && out.data[out.len - 1] == '\n') out.data[--out.len] = '\0';   /* block ends */
  return orr_buf_take(&out);
}
