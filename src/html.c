/*
** html.c — sanitizing HTML fragments from feeds (see html.h).
**
** The fragment is parsed by libxml2's HTML parser into a tree, and the output is written
** from the tree: only elements and attributes on the allowlist are written, text is
** re-escaped, so what a browser parses is exactly what we allowed.  The allowlist follows
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
#include "html.h"

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
** not safe. */
static const char *const url_attributes[] = {
  "href", "src", "cite", "longdesc", "poster", "usemap", "background", "dynsrc", "lowsrc",
  "action", "data", "datasrc", "icon", "ping", "vrml", NULL
};

static const char *const safe_schemes[] = {
  "http", "https", "ftp", "ftps", "mailto", "news", "nntp", "irc", "ircs", "xmpp", "tel",
  "sip", "sips", "feed", "magnet", "gopher", "rtsp", "mms", "git", "ssh", "sftp", "telnet",
  "webcal", "geo", NULL
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

/* ---- URLs ------------------------------------------------------------------------ */

/* s with bytes >= 0x80 written as %XX (libxml2's URI parser takes ASCII only), or, with
** back set, those escapes (upper-case hex, as written here) turned back into the bytes. */
static char *uri_bytes(const char *s, int back) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(s), i, j = 0;
  char *o = malloc(n * 3 + 1);
  if (o == NULL) return NULL;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!back && c >= 0x80) {
      o[j++] = '%'; o[j++] = hex[c >> 4]; o[j++] = hex[c & 15];
    } else if (back && c == '%' && i + 2 < n && strchr("89ABCDEF", s[i + 1]) && strchr(hex, s[i + 2])) {
      /* (i + 2 < n: neither is the terminator, which strchr would find) */
      o[j++] = (char)(((strchr(hex, s[i + 1]) - hex) << 4) | (strchr(hex, s[i + 2]) - hex));
      i += 2;
    } else {
      o[j++] = (char)c;
    }
  }
  o[j] = '\0';
  return o;
}

char *orr_url_resolve(const char *ref, const char *base) {
  xmlChar *r;
  char *out, *eref = NULL, *ebase = NULL;
  const char *p;
  int wide = 0;
  if (base == NULL || *base == '\0') return strdup(ref);
  for (p = ref; *p && !wide; p++) wide = (unsigned char)*p >= 0x80;
  for (p = base; *p && !wide; p++) wide = (unsigned char)*p >= 0x80;
  if (wide) {                     /* an IRI: resolve its escaped form, then give the characters back */
    eref = uri_bytes(ref, 0);
    ebase = uri_bytes(base, 0);
    if (eref == NULL || ebase == NULL) { free(eref); free(ebase); return NULL; }
    ref = eref;
    base = ebase;
  }
  r = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base);
  if (r == NULL) {
    out = wide ? uri_bytes(ref, 1) : strdup(ref);   /* unparsable: keep as written, the scheme check follows */
  } else {
    char *u = (char *)r, *q = NULL;
    /* "http:///host/" (a base with one slash too many) is "http://host/", as browsers read it */
    if (strncmp(u, "http:///", 8) == 0) q = u + 7;
    else if (strncmp(u, "https:///", 9) == 0) q = u + 8;
    if (q && q[1] != '/') memmove(q, q + 1, strlen(q + 1) + 1);
    out = wide ? uri_bytes(u, 1) : strdup(u);
    xmlFree(r);
  }
  free(eref);
  free(ebase);
  return out;
}

/* Copy of ref without the characters browsers ignore in URLs (controls, spaces at the ends,
** tabs and newlines anywhere) so that "java\tscript:" is seen as what the browser sees. */
static char *url_squeeze(const char *ref) {
  size_t n = strlen(ref), i, j = 0;
  char *s = malloc(n + 1);
  if (s == NULL) return NULL;
  while (n && (unsigned char)ref[n - 1] <= ' ') n--;
  i = 0;
  while (i < n && (unsigned char)ref[i] <= ' ') i++;
  for (; i < n; i++)
    if (ref[i] != '\t' && ref[i] != '\n' && ref[i] != '\r') s[j++] = ref[i];
  s[j] = '\0';
  return s;
}

/* 1 if url has no scheme or a safe one. */
static int scheme_ok(const char *url) {
  char scheme[16];
  size_t i;
  for (i = 0; url[i] && url[i] != ':'; i++) {
    if (url[i] == '/' || url[i] == '?' || url[i] == '#') return 1;   /* relative */
    if (i + 1 >= sizeof scheme) return 0;
    scheme[i] = (char)tolower((unsigned char)url[i]);
  }
  if (url[i] != ':') return 1;                                        /* no colon: relative */
  scheme[i] = '\0';
  return in_list(scheme, safe_schemes);
}

char *orr_xml_base(xmlNodePtr node, const char *fallback) {
  for (; node && node->type != XML_DOCUMENT_NODE; node = node->parent) {
    xmlChar *b = xmlNodeGetBase(node->doc, node);
    if (b && scheme_ok((const char *)b)) {
      char *s = strdup((const char *)b);
      xmlFree(b);
      return s;
    }
    xmlFree(b);
  }
  return fallback ? strdup(fallback) : NULL;
}

char *orr_url_clean(const char *ref, const char *base) {
  char *s = url_squeeze(ref), *r;
  if (s == NULL) return NULL;
  if (!scheme_ok(s)) { free(s); return NULL; }
  r = orr_url_resolve(s, base);
  free(s);
  if (r && !scheme_ok(r)) { free(r); return NULL; }   /* a hostile xml:base */
  return r;
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

/* The lists above are looked up for every element and attribute of every entry, so each
** is searched by bisection over a sorted copy, made once for all threads (feeds are parsed
** on worker threads while others download). */
static const char *const *const lists[] = {
  allowed_elements, dropped_elements, void_elements, allowed_attributes, url_attributes,
  safe_schemes, css_properties, css_keywords, block_elements,
};
#define NLISTS (sizeof lists / sizeof lists[0])
static struct { const char **v; size_t n; } sorted[NLISTS];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_lists(void) {
  size_t i, n;
  for (i = 0; i < NLISTS; i++) {
    for (n = 0; lists[i][n]; n++) {}
    sorted[i].v = malloc(n * sizeof *sorted[i].v);
    if (sorted[i].v == NULL) continue;          /* in_list scans that one instead */
    memcpy(sorted[i].v, lists[i], n * sizeof *sorted[i].v);
    qsort(sorted[i].v, n, sizeof *sorted[i].v, cmp_str);
    sorted[i].n = n;
  }
}

static int in_list(const char *name, const char *const *list) {
  size_t i;
  pthread_once(&sorted_once, sort_lists);
  for (i = 0; i < NLISTS; i++)
    if (lists[i] == list && sorted[i].v)
      return bsearch(&name, sorted[i].v, sorted[i].n, sizeof *sorted[i].v, cmp_str) != NULL;
  for (; *list; list++)
    if (strcmp(name, *list) == 0) return 1;
  return 0;
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
static void css_clean(orr_buf *out, const char *style) {
  orr_buf s, res;
  const char *p;
  size_t i, n;
  int first = 1;
  orr_buf_init(&s);
  /* url(...) goes */
  for (p = style; *p;) {
    if (strncasecmp(p, "url", 3) == 0) {
      const char *q = p + 3, *r;
      while (isspace((unsigned char)*q)) q++;
      if (*q == '(') {
        q++;
        while (isspace((unsigned char)*q)) q++;
        r = q;
        while (*r && !isspace((unsigned char)*r) && *r != ')') r++;
        if (r > q) {
          while (isspace((unsigned char)*r)) r++;
          if (*r == ')') {
            r++;
            while (isspace((unsigned char)*r)) r++;
            orr_buf_addc(&s, ' ');
            p = r;
            continue;
          }
        }
      }
    }
    orr_buf_addc(&s, *p++);
  }
  if (!orr_buf_ok(&s) || s.len == 0) { orr_buf_free(&s); return; }
  /* the gauntlet: only these shapes, anywhere */
  for (i = 0, n = s.len; i < n;) {
    unsigned char c = (unsigned char)s.data[i];
    if (isalnum(c) || isspace(c) || strchr(":,;#%.!", c)) { i++; continue; }
    if (c == '-' && i > 0 && i + 1 < n && is_word((unsigned char)s.data[i - 1]) &&
        is_word((unsigned char)s.data[i + 1])) { i++; continue; }
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < n && (is_word((unsigned char)s.data[j]) || isspace((unsigned char)s.data[j]))) j++;
      if (j < n && s.data[j] == (char)c && j > i + 1) { i = j + 1; continue; }
    }
    if (c == '(') {
      size_t j = i + 1;
      while (j < n && (isdigit((unsigned char)s.data[j]) || s.data[j] == ',' || isspace((unsigned char)s.data[j]))) j++;
      if (j < n && s.data[j] == ')' && j > i + 1) { i = j + 1; continue; }
    }
    orr_buf_free(&s);
    return;
  }
  /* declarations: name ':' value [';'], nothing else */
  orr_buf_init(&res);
  for (p = s.data; *p;) {
    const char *ns, *ne, *vs, *ve, *q;
    char prop[40], low[40];
    size_t len, k;
    while (isspace((unsigned char)*p)) p++;
    if (!*p) break;
    ns = p;
    while (is_word((unsigned char)*p) || *p == '-') p++;
    ne = p;
    while (isspace((unsigned char)*p)) p++;
    if (ne == ns || *p != ':') goto reject;
    p++;
    while (isspace((unsigned char)*p)) p++;
    vs = p;
    while (*p && *p != ':' && *p != ';') p++;
    ve = p;
    if (*p == ':') goto reject;
    if (*p == ';') p++;
    len = (size_t)(ne - ns);
    if (len >= sizeof prop || ve == vs) continue;
    memcpy(prop, ns, len);
    prop[len] = '\0';
    for (k = 0; k <= len; k++) low[k] = (char)tolower((unsigned char)prop[k]);
    if (!in_list(low, css_properties)) {
      char head[16];
      size_t h = strcspn(low, "-");
      int ok = 1;
      if (h >= sizeof head) continue;
      memcpy(head, low, h);
      head[h] = '\0';
      if (strcmp(head, "background") && strcmp(head, "border") && strcmp(head, "margin") &&
          strcmp(head, "padding"))
        continue;
      for (q = vs; q < ve && ok;) {
        const char *ws;
        char word[32];
        while (q < ve && isspace((unsigned char)*q)) q++;
        if (q >= ve) break;
        ws = q;
        while (q < ve && !isspace((unsigned char)*q)) q++;
        if ((size_t)(q - ws) < sizeof word) {
          memcpy(word, ws, (size_t)(q - ws));
          word[q - ws] = '\0';
          ok = in_list(word, css_keywords) || css_value_ok(ws, (size_t)(q - ws));
        } else {
          ok = 0;
        }
      }
      if (!ok) continue;
    }
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

static void emit_attr(orr_buf *out, const char *name, const char *value) {
  orr_buf_addc(out, ' ');
  orr_buf_adds(out, name);
  orr_buf_adds(out, "=\"");
  orr_buf_add_escaped(out, value, strlen(value), 1);
  orr_buf_addc(out, '"');
}

static void emit_attrs(orr_buf *out, xmlNodePtr node, const char *base) {
  xmlAttrPtr a;
  for (a = node->properties; a; a = a->next) {
    char name[64];
    xmlChar *v;
    size_t i, n = strlen((const char *)a->name);
    if (n >= sizeof name) continue;
    for (i = 0; i <= n; i++) name[i] = (char)tolower(a->name[i]);
    if (a->ns && a->ns->prefix && strcmp((const char *)a->ns->prefix, "xml") == 0) {
      if (strcmp(name, "lang") != 0) continue;
      strcpy(name, "xml:lang");
    }
    if (!in_list(name, allowed_attributes)) continue;
    v = xmlNodeGetContent((xmlNodePtr)a);
    if (v == NULL) { emit_attr(out, name, ""); continue; }
    if (in_list(name, url_attributes)) {
      /* in a feed's own XML, xml:base may change at any element */
      char *own = node->doc && node->doc->type == XML_DOCUMENT_NODE ? orr_xml_base(node, base) : NULL;
      char *u = orr_url_clean((const char *)v, own ? own : base);
      free(own);
      if (u) emit_attr(out, name, u);
      free(u);
    } else if (strcmp(name, "style") == 0) {
      orr_buf css;
      orr_buf_init(&css);
      css_clean(&css, (const char *)v);
      if (css.len) emit_attr(out, name, css.data);
      orr_buf_free(&css);
    } else {
      emit_attr(out, name, (const char *)v);
    }
    xmlFree(v);
  }
}

static void emit_children(orr_buf *out, xmlNodePtr node, const char *base, int depth);

static void emit_node(orr_buf *out, xmlNodePtr n, const char *base, int depth) {
  const char *name;
  switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
      if (n->content) orr_buf_add_escaped(out, (const char *)n->content,
                                          strlen((const char *)n->content), 0);
      return;
    case XML_ENTITY_REF_NODE: {        /* from an XML document: see orr_xml_text */
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
  name = (const char *)n->name;
  {
    char lname[32];
    size_t i, len = strlen(name);
    if (len >= sizeof lname) { emit_children(out, n, base, depth + 1); return; }
    for (i = 0; i <= len; i++) lname[i] = (char)tolower((unsigned char)name[i]);
    if (in_list(lname, dropped_elements)) return;
    if (!in_list(lname, allowed_elements) || depth > MAX_DEPTH) {
      emit_children(out, n, base, depth + 1);
      return;
    }
    orr_buf_addc(out, '<');
    orr_buf_adds(out, lname);
    emit_attrs(out, n, base);
    if (in_list(lname, void_elements)) { orr_buf_adds(out, " />"); return; }
    orr_buf_addc(out, '>');
    emit_children(out, n, base, depth + 1);
    orr_buf_adds(out, "</");
    orr_buf_adds(out, lname);
    orr_buf_addc(out, '>');
  }
}

static void emit_children(orr_buf *out, xmlNodePtr node, const char *base, int depth) {
  xmlNodePtr c;
  for (c = node->children; c; c = c->next) emit_node(out, c, base, depth);
}

/* ---- entry points ---------------------------------------------------------------- */

/* One parser context serves every fragment: a feed has thousands of them, and a fresh
** context (with its dictionary) for each costs more than parsing a small one.  One per
** thread: a libxml2 context is not shared. */
static __thread htmlParserCtxtPtr ctxt;

void orr_html_thread_end(void) {
  if (ctxt) htmlFreeParserCtxt(ctxt);
  ctxt = NULL;
}

htmlDocPtr orr_html_parse(const char *html, size_t len, const char *url) {
  int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
             HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT;
  htmlDocPtr doc = NULL;
  if (ctxt == NULL) ctxt = htmlNewParserCtxt();
  if (len > 0 && len <= (size_t)0x7fffffff)
    doc = ctxt ? htmlCtxtReadMemory(ctxt, html, (int)len, url, "UTF-8", opts)
               : htmlReadMemory(html, (int)len, url, "UTF-8", opts);
  if (doc == NULL) doc = htmlNewDocNoDtD(NULL, NULL);
  return doc;
}

static xmlNodePtr find_body(htmlDocPtr doc) {
  xmlNodePtr root = xmlDocGetRootElement(doc), c;
  if (root == NULL) return NULL;
  for (c = root->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "body") == 0) return c;
  return NULL;
}

/* Parse a fragment inside a <div> of ours: text at the top of a fragment would otherwise
** be wrapped in an implied <p> by libxml2.  Returns the wrapper (its children are the
** fragment; body children after it come from stray end tags), or NULL for nothing. */
static xmlNodePtr parse_fragment(const char *html, size_t len, htmlDocPtr *docp) {
  orr_buf in;
  xmlNodePtr body, first;
  orr_buf_init(&in);
  orr_buf_adds(&in, "<div>");
  orr_buf_add(&in, html, len);
  if (!orr_buf_ok(&in)) { *docp = NULL; return NULL; }
  *docp = orr_html_parse(in.data, in.len, NULL);
  orr_buf_free(&in);
  if (*docp == NULL) return NULL;
  body = find_body(*docp);
  if (body == NULL) return NULL;
  first = body->children;
  return first;
}

char *orr_html_sanitize(const char *html, size_t len, const char *base) {
  orr_buf out;
  htmlDocPtr doc;
  xmlNodePtr n;
  orr_buf_init(&out);
  if (len == 0) return orr_buf_take(&out);
  if (!memchr(html, '<', len) && !memchr(html, '&', len)) {  /* plain text: nothing to parse */
    orr_buf_add_escaped(&out, html, len, 0);
    return orr_buf_take(&out);
  }
  n = parse_fragment(html, len, &doc);
  if (doc == NULL) return NULL;
  if (n) {
    emit_children(&out, n, base, 0);                        /* our wrapper */
    for (n = n->next; n; n = n->next) emit_node(&out, n, base, 0);
  }
  xmlFreeDoc(doc);
  return orr_buf_take(&out);
}

char *orr_html_sanitize_node(xmlNodePtr node, const char *base) {
  orr_buf out;
  orr_buf_init(&out);
  emit_children(&out, node, base, 0);
  return orr_buf_take(&out);
}


static void new_line(orr_buf *out) {
  if (out->len && out->data[out->len - 1] != '\n') orr_buf_addc(out, '\n');
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

char *orr_html_text_sanitized(const char *html, size_t len) {
  orr_buf out;
  const char *p = html, *end = html + len;
  orr_buf_init(&out);
  while (p < end) {
    const char *lt = memchr(p, '<', (size_t)(end - p)), *stop = lt ? lt : end;
    while (p < stop) {                       /* text up to the next tag */
      const char *amp = memchr(p, '&', (size_t)(stop - p)), *semi;
      if (amp == NULL) { orr_buf_add(&out, p, (size_t)(stop - p)); p = stop; break; }
      orr_buf_add(&out, p, (size_t)(amp - p));
      semi = memchr(amp, ';', (size_t)(stop - amp) < 12 ? (size_t)(stop - amp) : 12);
      p = amp + 1;
      if (semi == NULL) { orr_buf_addc(&out, '&'); continue; }
      if (amp[1] == '#') {
        char *e;
        unsigned long v = (amp[2] == 'x' || amp[2] == 'X') ? strtoul(amp + 3, &e, 16)
                                                           : strtoul(amp + 2, &e, 10);
        if (e == semi && v > 0 && v <= 0x10FFFF) { orr_buf_add_utf8(&out, (unsigned)v); p = semi + 1; }
        else orr_buf_addc(&out, '&');
      } else {
        const char *name = amp + 1;
        size_t n = (size_t)(semi - name);
        if (n == 3 && memcmp(name, "amp", 3) == 0) orr_buf_addc(&out, '&');
        else if (n == 2 && memcmp(name, "lt", 2) == 0) orr_buf_addc(&out, '<');
        else if (n == 2 && memcmp(name, "gt", 2) == 0) orr_buf_addc(&out, '>');
        else if (n == 4 && memcmp(name, "quot", 4) == 0) orr_buf_addc(&out, '"');
        else if (n == 4 && memcmp(name, "apos", 4) == 0) orr_buf_addc(&out, '\'');
        else { orr_buf_addc(&out, '&'); continue; }
        p = semi + 1;
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
      if (strcmp(name, "br") == 0) orr_buf_addc(&out, '\n');
      else if (n && in_list(name, block_elements)) new_line(&out);
      p = gt ? gt + 1 : end;
    }
  }
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
  htmlDocPtr doc;
  xmlNodePtr n;
  orr_buf_init(&out);
  if (len == 0) return orr_buf_take(&out);
  n = parse_fragment(html, len, &doc);
  if (doc == NULL) return NULL;
  if (n) collect_text(&out, n, 0);
  xmlFreeDoc(doc);
  while (out.len && out.data[out.len - 1] == '\n') out.data[--out.len] = '\0';   /* block ends */
  return orr_buf_take(&out);
}
