/*
** url.c — resolving URLs from feeds and deciding which may be kept (see url.h).
**
** Resolution: the usual cases (an absolute ASCII URL, "/path", "dir/file", "#frag" against
** an http(s) base) are string operations made here exactly as libxml2's xmlBuildURI would
** make them (fuzzed against it); anything else goes to xmlBuildURI.  IRIs are resolved in
** their %-escaped form and given back as characters.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>

#include "buf.h"
#include "url.h"

/* Schemes of URLs in entry HTML that cannot run script (feedparser's list). */
static const char *const safe_schemes[] = {
  "http", "https", "ftp", "ftps", "mailto", "news", "nntp", "irc", "ircs", "xmpp", "tel",
  "sip", "sips", "feed", "magnet", "gopher", "rtsp", "mms", "git", "ssh", "sftp", "telnet",
  "webcal", "geo", NULL
};

/* s as libxml2's URI parser takes it: bytes >= 0x80 and '%' written as %XX (its parser
** takes ASCII only; '%' so that escapes the URL already had, "%C3%A9" or "%2F", come back as
** written instead of being decoded), and so are the characters RFC 3986 leaves out but
** browsers take in an href (spaces, '"', '<', '>', '`', '{', '}', '|', '^', '\', controls):
** "my photo.jpg" is a link on a web page, and must not stay relative for want of parsing.
** With slashes set (a reference against an http(s) base, as WHATWG's URL parser reads
** one), '\' before any query or fragment is '/'.  back turns the '%' and >= 0x80 escapes
** (upper-case hex, as written here and by xmlSaveUri) back into the bytes; the others stay
** escaped, as a browser would send them. */
static char *uri_bytes(const char *s, int back, int slashes) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(s), i, j = 0;
  char *o = malloc(n * 3 + 1);
  if (o == NULL) return NULL;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!back && (c == '?' || c == '#')) slashes = 0;
    if (!back && c == '\\' && slashes) {
      o[j++] = '/';
    } else if (!back && (c >= 0x80 || c == '%' || c <= ' ' || c == 0x7F || strchr("\"<>`{}|^\\", c))) {
      o[j++] = '%'; o[j++] = hex[c >> 4]; o[j++] = hex[c & 15];
    } else if (back && c == '%' && i + 2 < n && strchr("289ABCDEF", s[i + 1]) && strchr(hex, s[i + 2]) &&
               (s[i + 1] != '2' || s[i + 2] == '5')) {
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

/* 1 if s starts with "http:" or "https:" (any case). */
static int web_scheme(const char *s) {
  return strncasecmp(s, "http:", 5) == 0 || strncasecmp(s, "https:", 6) == 0;
}

/* 1 if s starts with a scheme (letters, digits, '+', '-', '.' after a letter, then ':'). */
static int has_scheme(const char *s) {
  const char *p = s;
  if (!isalpha((unsigned char)*p)) return 0;
  while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.') p++;
  return *p == ':';
}

/* 1 if url is absolute (a scheme, then ':') and ASCII: resolving gives it back as it is
** (libxml2 returns an absolute reference unchanged, or fails on it and we keep it as
** written), so most links of a feed are spared a URI parse.  Not "http:///host", which
** orr_url_resolve repairs. */
static int plain_absolute(const char *url) {
  const char *p = url;
  if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return 0;
  while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
         *p == '+' || *p == '-' || *p == '.')
    p++;
  if (*p != ':') return 0;
  if (strncmp(url, "http:///", 8) == 0 || strncmp(url, "https:///", 9) == 0) return 0;
  for (; *p; p++) if ((unsigned char)*p >= 0x80) return 0;
  return 1;
}

static int plain_char(int c) {         /* unreserved characters and '/': never escaped */
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

/* 1 if the n bytes at p are plain characters forming no "." or ".." segment and no "//". */
static int plain_path(const char *p, size_t n) {
  size_t i, seg = 0;                   /* seg: start of the current segment */
  for (i = 0; i <= n; i++) {
    if (i == n || p[i] == '/') {
      size_t len = i - seg;
      if ((len == 1 && p[seg] == '.') || (len == 2 && p[seg] == '.' && p[seg + 1] == '.')) return 0;
      if (i < n && i + 1 < n && p[i + 1] == '/') return 0;
      seg = i + 1;
    } else if (!plain_char((unsigned char)p[i])) {
      return 0;
    }
  }
  return 1;
}

/* The end of a plain host name (lower-case letters, digits, '-', '.') starting at p, with
** its port if it has one that libxml2 writes back as it was (1 to 65535, no leading zero);
** p itself when there is no host or another port. */
static const char *plain_host(const char *p) {
  const char *h = p;
  while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.') p++;
  if (p > h && *p == ':') {
    const char *d = p + 1;
    long port = 0;
    while (*d >= '0' && *d <= '9' && d - p <= 5) port = port * 10 + (*d++ - '0');
    if (d == p + 1 || p[1] == '0' || port > 65535 || (*d >= '0' && *d <= '9')) return h;
    p = d;
  }
  return p;
}

/* Resolving the usual relative links of a feed ("/2024/05/post/", "img/a.png", "#note",
** "?page=2", "../x", "//cdn.host/x") against the usual base ("https://host/path/feed.xml")
** is a concatenation: no dot segments to remove, nothing to escape.  For exactly those
** cases, the result is made here the way libxml2's xmlBuildURI would make it (the two are
** fuzzed against each other); anything else is left to libxml2.  Returns 0 when not such a
** case; else 1 with *out set (NULL if out of memory). */
static int resolve_plain(const char *ref, const char *base, char **out) {
  const char *auth, *path, *q, *e, *ref_path = ref;
  size_t plen, rlen = strlen(ref), ups = 0;
  /* the base: http(s)://host[:port]/path, lower-case host, no query or fragment */
  if (strncmp(base, "http://", 7) == 0) auth = base + 7;
  else if (strncmp(base, "https://", 8) == 0) auth = base + 8;
  else return 0;
  path = plain_host(auth);
  if (path == auth || *path != '/') return 0;
  plen = strlen(path);
  if (!plain_path(path, plen)) return 0;
  /* the reference: a path of plain characters, then maybe a simple query and fragment;
  ** before the path a host ("//cdn.host/x": the base's scheme) or "../" steps up */
  if (rlen == 0) return 0;
  if (ref[0] == '/' && ref[1] == '/') {
    const char *h = ref + 2, *hp = plain_host(h);
    if (hp == h || (*hp != '/' && *hp != '\0')) return 0;
    ref_path = hp;
  }
  while (ref_path == ref + ups * 3 && strncmp(ref_path, "../", 3) == 0) { ups++; ref_path += 3; }
  if (ups && *ref_path == '/') return 0;
  for (e = ref_path; *e && *e != '?' && *e != '#'; e++) {}
  if (!plain_path(ref_path, (size_t)(e - ref_path))) return 0;
  q = e;
  if (*q == '?')                       /* query: kept as written by libxml2 */
    for (q++; *q && *q != '#'; q++)
      if (!plain_char((unsigned char)*q) && !strchr("?=&+;,", *q)) return 0;
  if (*q == '#')                       /* fragment */
    for (q++; *q; q++)
      if (!plain_char((unsigned char)*q)) return 0;
  if (ref[0] == '/' && ref[1] == '/') {   /* another host: only the base's scheme */
    plen = 0;
    path = auth - 2;
  } else if (ref[0] == '/') {          /* absolute path: the base's scheme and host */
    plen = 0;
  } else if (ref[0] != '?' && ref[0] != '#') {
    while (plen > 0 && path[plen - 1] != '/') plen--;   /* merged with the base's directory */
    for (; ups > 0; ups--) {           /* each "../" leaves one directory */
      if (plen <= 1) return 0;         /* above the root: left to libxml2 */
      plen--;
      while (plen > 0 && path[plen - 1] != '/') plen--;
    }
    ref += (size_t)(ref_path - ref);
    rlen = strlen(ref);
  }
  {
    size_t head = (size_t)(path - base) + plen;
    char *r = malloc(head + rlen + 1);
    *out = r;
    if (r) {
      memcpy(r, base, head);
      memcpy(r + head, ref, rlen + 1);
    }
  }
  return 1;
}

char *orr_url_resolve(const char *ref, const char *base) {
  xmlChar *r;
  char *out, *eref, *ebase;
  int slashes;
  if (base == NULL || *base == '\0' || plain_absolute(ref)) return strdup(ref);
  if (resolve_plain(ref, base, &out)) return out;
  /* the rest in the form libxml2's parser takes (uri_bytes), and the characters back after */
  slashes = web_scheme(base) && (!has_scheme(ref) || web_scheme(ref));
  eref = uri_bytes(ref, 0, slashes);
  ebase = uri_bytes(base, 0, web_scheme(base));
  if (eref == NULL || ebase == NULL) { free(eref); free(ebase); return NULL; }
  r = xmlBuildURI((const xmlChar *)eref, (const xmlChar *)ebase);
  if (r == NULL) {
    out = strdup(ref);            /* unparsable: kept as written (orr_url_clean decides) */
  } else {
    char *u = (char *)r, *q = NULL;
    /* "http:///host/" (a base with one slash too many) is "http://host/", as browsers read it */
    if (strncmp(u, "http:///", 8) == 0) q = u + 7;
    else if (strncmp(u, "https:///", 9) == 0) q = u + 8;
    if (q && q[1] != '/') memmove(q, q + 1, strlen(q + 1) + 1);
    out = uri_bytes(u, 1, 0);
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

int orr_url_scheme_ok(const char *url) {
  char scheme[16];
  size_t i;
  for (i = 0; url[i] && url[i] != ':'; i++) {
    if (url[i] == '/' || url[i] == '?' || url[i] == '#') return 1;   /* relative */
    if (i + 1 >= sizeof scheme) return 0;
    scheme[i] = (char)tolower((unsigned char)url[i]);
  }
  if (url[i] != ':') return 1;                                        /* no colon: relative */
  scheme[i] = '\0';
  if (strcmp(scheme, "feed") == 0) {
    /* feed: wraps another address ("feed://host/", "feed:https://host/"): only a web one,
    ** never "feed:javascript:", which feed handlers have run */
    const char *r = url + i + 1;
    return (r[0] == '/' && r[1] == '/') || !strncasecmp(r, "http:", 5) || !strncasecmp(r, "https:", 6);
  }
  for (i = 0; safe_schemes[i]; i++)
    if (strcmp(scheme, safe_schemes[i]) == 0) return 1;
  return 0;
}

/* 1 if an http(s) URL has exactly "//" after its scheme, as it must to name its host. */
static int web_slashes(const char *url) {
  const char *p = strchr(url, ':');
  return p[1] == '/' && p[2] == '/' && p[3] != '/' && p[3] != '\\';
}

/* (most links of entry HTML: no copy, no URI parse) */
int orr_url_clean_absolute(const char *ref) {
  const char *p = ref;
  while ((unsigned char)*p > ' ') p++;
  return *p == '\0' && orr_url_scheme_ok(ref) && plain_absolute(ref) && (!web_scheme(ref) || web_slashes(ref));
}

char *orr_url_clean(const char *ref, const char *base) {
  char *s, *r;
  if (orr_url_clean_absolute(ref)) return strdup(ref);
  if ((s = url_squeeze(ref)) == NULL) return NULL;
  if (!orr_url_scheme_ok(s)) { free(s); return NULL; }
  if (web_scheme(s) && !web_slashes(s)) {
    /* "https:host/x", "http:/\host/": browsers read any run of '/' and '\' after an http(s)
    ** scheme as "//" (and one that names no host as no link at all) */
    char *c = strchr(s, ':') + 1, *h = c;
    while (*h == '/' || *h == '\\') h++;
    if (*h == '\0' || strchr("?#", *h)) { free(s); return NULL; }
    {
      size_t head = (size_t)(c - s), rest = strlen(h);
      char *w = malloc(head + 2 + rest + 1);
      if (w == NULL) { free(s); return NULL; }
      memcpy(w, s, head);
      w[head] = w[head + 1] = '/';
      memcpy(w + head + 2, h, rest + 1);
      free(s);
      s = w;
    }
  }
  r = orr_url_resolve(s, base);
  free(s);
  if (r && !orr_url_scheme_ok(r)) { free(r); return NULL; }   /* a hostile xml:base */
  /* a reference that did not resolve against a web base would be resolved by the reader's
  ** browser against the planet's own address: a link to the planet, not to the feed's site */
  if (r && base && web_scheme(base) && !has_scheme(r)) { free(r); return NULL; }
  return r;
}

/* ---- the policy for fields ---------------------------------------------------------- */

/* The character a reference at p stands for (p at '&'): numeric ones with or without the
** ';' (browsers take "&#106avascript:" as "javascript:"), HTML's named ones, and HTML5's
** names for the characters that split a scheme (&colon; &Tab; &NewLine;).  Returns the
** code point and sets *len to the reference's length; 0 when p starts no reference. */
static unsigned char_ref(const char *p, size_t *len) {
  static const struct { const char *name; unsigned cp; } html5[] = {
    { "colon;", ':' }, { "Tab;", '\t' }, { "NewLine;", '\n' },
  };
  const char *q = p + 1;
  size_t i;
  if (*q == '#') {
    unsigned long cp = 0;
    int hex = q[1] == 'x' || q[1] == 'X', digits = 0;
    for (q += hex ? 2 : 1; hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q); q++, digits++)
      if (cp < 0x110000) cp = cp * (hex ? 16 : 10) + (unsigned long)(isdigit((unsigned char)*q) ? *q - '0' : (*q | 0x20) - 'a' + 10);
    if (!digits) return 0;
    if (*q == ';') q++;
    *len = (size_t)(q - p);
    return cp == 0 || cp >= 0x110000 ? 0xFFFD : (unsigned)cp;
  }
  for (i = 0; i < sizeof html5 / sizeof html5[0]; i++)
    if (strncmp(q, html5[i].name, strlen(html5[i].name)) == 0) {
      *len = 1 + strlen(html5[i].name);
      return html5[i].cp;
    }
  {
    char name[32];
    const htmlEntityDesc *e;
    for (i = 0; i < sizeof name - 1 && isalnum((unsigned char)q[i]); i++) name[i] = q[i];
    name[i] = '\0';
    if (i == 0 || q[i] != ';' || (e = htmlEntityLookup((const xmlChar *)name)) == NULL) return 0;
    *len = i + 2;
    return e->value;
  }
}

/* ref as a browser reads an href before parsing it: character references decoded up to the
** first '/', '?' or '#' (where they could hide a scheme; the rest is kept as written),
** spaces and C0 controls at the ends dropped, tabs and newlines dropped everywhere. */
static char *browser_reading(const char *ref) {
  orr_buf b;
  const char *p = ref;
  size_t end;
  int in_scheme = 1;
  orr_buf_init(&b);
  while ((unsigned char)*p <= ' ' && *p) p++;
  for (; *p; p++) {
    if (*p == '/' || *p == '?' || *p == '#') in_scheme = 0;
    if (in_scheme && *p == '&') {
      size_t len = 0;
      unsigned cp = char_ref(p, &len);
      if (cp) {
        if (cp != '\t' && cp != '\n' && cp != '\r') orr_buf_add_utf8(&b, cp);
        if (cp == '/' || cp == '?' || cp == '#') in_scheme = 0;
        p += len - 1;
        continue;
      }
    }
    if (*p != '\t' && *p != '\n' && *p != '\r') orr_buf_addc(&b, *p);
  }
  end = b.len;
  while (end && (unsigned char)b.data[end - 1] <= ' ') end--;
  b.len = end;
  orr_buf_addc(&b, '\0');
  b.len = end;
  return orr_buf_take(&b);
}

/* The length of the scheme at the start of s ("http" of "http://x"): a letter, then
** letters, digits, '+', '-', '.', then ':'.  0 when s has none (a relative reference). */
static size_t scheme_len(const char *s) {
  size_t i = 0;
  if (!isalpha((unsigned char)s[0])) return 0;
  while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.') i++;
  return s[i] == ':' ? i : 0;
}

/* Append s with control characters, spaces, DEL, quotes and angle brackets %-escaped ('\'
** read as '/' before any query or fragment when slashes is set). */
static void add_escaped(orr_buf *b, const char *s, int slashes) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '?' || c == '#') slashes = 0;
    if (c == '\\' && slashes) c = '/';
    if (c <= ' ' || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '`') {
      char esc[4];
      snprintf(esc, sizeof esc, "%%%02X", c);
      orr_buf_adds(b, esc);
    } else {
      orr_buf_addc(b, (char)c);
    }
  }
}

/* An http(s) URL (its scheme slen long) as browsers normalise it: any run of '/' and '\'
** after the scheme written "//", no user:password@ in the authority.  NULL (with why) when
** it has no host. */
static char *web_form(const char *u, size_t slen, char *why, size_t whylen) {
  orr_buf b;
  const char *p = u + slen + 1, *auth, *auth_end;
  while (*p == '/' || *p == '\\') p++;
  auth = p;
  auth_end = auth + strcspn(auth, "/\\?#");
  for (p = auth; p < auth_end; p++) if (*p == '@') auth = p + 1;   /* the last '@' ends the user info */
  if (auth == auth_end || *auth == ':') {
    snprintf(why, whylen, "an http(s) URL without a host");
    return NULL;
  }
  orr_buf_init(&b);
  orr_buf_add(&b, u, slen);
  orr_buf_adds(&b, "://");
  add_escaped(&b, auth, 1);
  if (!orr_buf_ok(&b)) { snprintf(why, whylen, "out of memory"); orr_buf_free(&b); return NULL; }
  return orr_buf_take(&b);
}

static int is_web(const char *s, size_t slen) {
  return (slen == 4 && strncasecmp(s, "http", 4) == 0) || (slen == 5 && strncasecmp(s, "https", 5) == 0);
}

char *orr_url_field(const char *ref, const char *base, int kind, char *why, size_t whylen) {
  char *r = browser_reading(ref), *abs, *out;
  size_t slen;
  if (r == NULL) { snprintf(why, whylen, "out of memory"); return NULL; }
  if (*r == '\0') { snprintf(why, whylen, "an empty URL"); free(r); return NULL; }
  slen = scheme_len(r);
  if (slen && is_web(r, slen)) {
    out = web_form(r, slen, why, whylen);
    free(r);
    return out;
  }
  if (slen) {
    if (kind == ORR_URL_WEB_OR_MAIL && slen == 6 && strncasecmp(r, "mailto", 6) == 0 && r[7]) {
      orr_buf b;
      orr_buf_init(&b);
      orr_buf_adds(&b, "mailto:");
      add_escaped(&b, r + 7, 0);
      free(r);
      if (!orr_buf_ok(&b)) { snprintf(why, whylen, "out of memory"); orr_buf_free(&b); return NULL; }
      return orr_buf_take(&b);
    }
    snprintf(why, whylen, "a %.*s: URL", (int)(slen < 24 ? slen : 24), r);
    for (out = why + 2; *out && *out != ':'; out++) *out = (char)tolower((unsigned char)*out);
    free(r);
    return NULL;
  }
  if (base == NULL) {                 /* relative, and nothing to resolve it against: kept so */
    orr_buf b;
    orr_buf_init(&b);
    add_escaped(&b, r, 0);
    free(r);
    if (!orr_buf_ok(&b)) { snprintf(why, whylen, "out of memory"); orr_buf_free(&b); return NULL; }
    return orr_buf_take(&b);
  }
  /* relative: against the base, which must be a web address itself */
  slen = scheme_len(base);
  if (!slen || !is_web(base, slen)) {
    snprintf(why, whylen, "a relative URL and no web address to resolve it against");
    free(r);
    return NULL;
  }
  {                                   /* (spaces and the like escaped first: libxml2's URI
                                      ** parser gives up on them) */
    orr_buf b;
    orr_buf_init(&b);
    add_escaped(&b, r, 0);
    free(r);
    if (!orr_buf_ok(&b)) { snprintf(why, whylen, "out of memory"); orr_buf_free(&b); return NULL; }
    abs = orr_url_resolve(b.data ? b.data : "", base);
    orr_buf_free(&b);
  }
  if (abs == NULL) { snprintf(why, whylen, "out of memory"); return NULL; }
  slen = scheme_len(abs);
  if (!slen || !is_web(abs, slen)) {
    snprintf(why, whylen, "a relative URL that does not resolve to a web address");
    free(abs);
    return NULL;
  }
  out = web_form(abs, slen, why, whylen);
  free(abs);
  return out;
}
