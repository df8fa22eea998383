/*
** readable.c — the article of a web page, by scoring blocks of text (see readable.h).
**
** Three passes over the tree, all iterative:
**   1. strip: remove what is never the article (scripts, forms, navigation, and blocks
**      whose class or id says sidebar, share, comments ... unless it also says content);
**   2. measure: every element's text length, link text length and commas, bottom-up
**      (elements listed in document order, then walked backwards);
**   3. score: each paragraph gives 1 + commas + length/100 (at most 3 for length) to its
**      parent, half to its grandparent and a sixth to the one above; a candidate's score
**      starts from its tag and class weight and ends multiplied by (1 - link density).
** The best candidate is the article; its siblings join when they score near it or are
** plain paragraphs of text.  When several blocks score near the best (an article cut
** apart by galleries), their common ancestor is the article if that finds much more text.
** Inside it, link lists (related posts, tags), its own header and captions are cut.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLtree.h>

#include "readable.h"

typedef struct info {
  xmlNodePtr node;
  int parent;         /* index of the parent element's info, -1 at the top */
  long text;          /* text bytes, whitespace runs counted once */
  long links;         /* of which inside <a> */
  long commas;
  long own, own_commas;  /* text directly in this element, not in child elements */
  int paras, imgs, items, inputs;   /* <p>, <img>, <li>, form controls inside it */
  double score;
  unsigned candidate : 1, has_block : 1;
} info;

typedef struct walk {
  info *v;
  size_t n, cap;
  char title[256];    /* the page's <title>, as short_text has it: a heading repeating it goes */
} walk;

static int is(xmlNodePtr n, const char *name) {
  return n->type == XML_ELEMENT_NODE && n->name && strcasecmp((const char *)n->name, name) == 0;
}

static int in_list(const char *name, const char *const *list) {
  for (; *list; list++) if (strcasecmp(name, *list) == 0) return 1;
  return 0;
}

/* Never part of an article.  (Not <form>: ASP.NET pages wrap the whole page in one; a
** search box or a comment form is small, and prune() cuts it from the article.) */
static const char *const junk_tags[] = {
  "script", "style", "noscript", "iframe", "nav", "footer", "aside", "button", "input",
  "select", "textarea", "link", "meta", "object", "embed", "template", "dialog", "menu", NULL
};

/* Elements that make a <div> a container rather than a paragraph. */
static const char *const block_tags[] = {
  "p", "div", "section", "article", "main", "table", "ul", "ol", "dl", "pre", "blockquote",
  "h1", "h2", "h3", "h4", "h5", "h6", "figure", "header", "address", "hr", NULL
};

/* Substrings of class and id names; lower case. */
static const char *const unlikely[] = {
  "sidebar", "share", "social", "comment", "disqus", "footer", "footnote-ref", "masthead",
  "menu", "navbar", "breadcrumb", "pagination", "pager", "related", "subscribe", "newsletter",
  "signup", "sponsor", "advert", "promo", "banner", "cookie", "popup", "modal", "widget",
  "skip-link", "author-bio", "tags", "byline", "toolbar", "shoutbox", "carousel", "slideshow",
  "lightbox", "credit", "tooltip", "popover", "hovercard", "rollover",
  /* text for screen readers only ("Image caption", "Image copyright"): not what a reader sees */
  "sr-only", "screen-reader", "visually-hidden", "visuallyhidden", "off-screen", "offscreen",
  "element-invisible", NULL
};
/* Substrings of class and id names that are never the article, whatever the attempt: the
** consent boxes of cookie laws (their own names, and those of the usual consent managers;
** TRUSTe's as "trustarc" and its "consent" ids: "truste" is in "trustees").  Tried with
** fewer rules, a page whose article is short would take the box's long legal text for it. */
static const char *const consent_box[] = {
  "consent", "gdpr", "cookie-banner", "cookie-notice", "cookie-bar", "cookie-law", "cookie-popup",
  "cookie-wall", "cookiewall", "cookie-message", "cookiebanner", "cookienotice", "cookiebar",
  "cookies-banner", "cookies-notice", "onetrust", "didomi", "usercentrics", "cookiebot", "cmplz",
  "iubenda", "qc-cmp", "sp_message", "trustarc", "osano", "cc-window", "cc-banner", NULL
};
static const char *const likely[] = {
  "article", "content", "entry", "main", "post", "story", "text", "body", "blog", NULL
};
static const char *const negative[] = {
  "comment", "meta", "footer", "sidebar", "share", "social", "related", "widget", "promo",
  "sponsor", "ad-", "hidden", "nav", "menu", "masthead", "byline", NULL
};

static int mentions(const char *hay, const char *const *words) {
  for (; *words; words++) if (strstr(hay, *words)) return 1;
  return 0;
}

/* Is id the slug of the heading that opens n (Sphinx, MkDocs and most site generators
** name a section after its heading: <div class="section" id="shared-mutable-history">)?
** Such an id is the author's words, not the template's: "shared" says no share buttons. */
static int heading_id(xmlNodePtr n, const char *id) {
  xmlNodePtr c;
  xmlChar *t;
  const char *p;
  size_t k = 0;
  int dash = 0, same;
  for (c = n->children; c && (c->type != XML_ELEMENT_NODE || is(c, "span") || is(c, "a")); c = c->next) {}
  if (c == NULL || !(is(c, "h1") || is(c, "h2") || is(c, "h3") || is(c, "h4") || is(c, "h5") || is(c, "h6")))
    return 0;
  if ((t = xmlNodeGetContent(c)) == NULL) return 0;
  for (p = (const char *)t; *p; p++) {          /* the heading as a slug, compared as we go */
    char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
      if (dash && k > 0) { if (id[k] != '-') break; k++; }
      if (id[k] != ch) break;
      k++;
      dash = 0;
    } else {
      dash = 1;
    }
  }
  same = k > 0 && id[k] == '\0' && (*p == '\0' || dash);
  xmlFree(t);
  return same;
}

/* "class id" of n in lower case, in buf; returns buf ("" when neither). */
static const char *names_of(xmlNodePtr n, char *buf, size_t size) {
  size_t len = 0;
  const char *attrs[2] = { "class", "id" };
  int i;
  buf[0] = '\0';
  for (i = 0; i < 2; i++) {
    xmlChar *v = xmlGetProp(n, (const xmlChar *)attrs[i]);
    const char *s = (const char *)v;
    if (v == NULL) continue;
    if (i == 1 && heading_id(n, s)) { xmlFree(v); continue; }
    for (; *s && len + 2 < size; s++) {
      char c = *s;
      buf[len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    if (len + 2 <= size) buf[len++] = ' ';   /* long names are cut, and still end in '\0' */
    buf[len] = '\0';
    xmlFree(v);
  }
  return buf;
}

/* What an attempt does (readability.js's flags): a page whose article the first attempt
** misses is tried again with fewer rules, since a class name can mislead any of them.
** The last keeps <nav>, <aside> and <footer>: an unclosed one (a browser would have closed
** it; libxml2's HTML parser, of an older HTML, does not) holds the rest of the page. */
enum { STRIP_UNLIKELY = 1, WEIGHT_CLASSES = 2, PRUNE_LINKS = 4, KEEP_LANDMARKS = 8 };
static const char *const landmark_tags[] = { "nav", "aside", "footer", "menu", "dialog", NULL };
static __thread int flags;   /* of the attempt running on this thread */

static int class_weight(xmlNodePtr n) {
  char names[512];
  int w = 0;
  if (!(flags & WEIGHT_CLASSES)) return 0;
  names_of(n, names, sizeof names);
  if (!names[0]) return 0;
  if (mentions(names, negative)) w -= 25;
  if (mentions(names, likely)) w += 25;
  return w;
}

/* The next node in document order after n's subtree, within root. */
static xmlNodePtr skip(xmlNodePtr n, xmlNodePtr root) {
  while (n && n != root) {
    if (n->next) return n->next;
    n = n->parent;
  }
  return NULL;
}

static xmlNodePtr next_node(xmlNodePtr n, xmlNodePtr root) {
  if (n->type == XML_ELEMENT_NODE && n->children) return n->children;
  return skip(n, root);
}

/* Hidden from readers: the hidden attribute, aria-hidden, display:none or visibility:hidden
** in its style (a gallery's other slides, a mobile copy of the page, a dialog). */
static int hidden(xmlNodePtr n) {
  xmlChar *v;
  int h = 0;
  if (xmlHasProp(n, (const xmlChar *)"hidden")) return 1;
  if ((v = xmlGetProp(n, (const xmlChar *)"aria-hidden")) != NULL) {
    h = strcasecmp((const char *)v, "true") == 0;
    xmlFree(v);
    if (h) return 1;
  }
  if ((v = xmlGetProp(n, (const xmlChar *)"style")) != NULL) {
    char st[256];
    size_t i = 0;
    const char *c;
    for (c = (const char *)v; *c && i + 1 < sizeof st; c++)    /* lower case, no spaces */
      if (*c != ' ' && *c != '\t') st[i++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    st[i] = '\0';
    h = strstr(st, "display:none") != NULL || strstr(st, "visibility:hidden") != NULL;
    xmlFree(v);
  }
  return h;
}

/* An ARIA role that says what <nav>, <aside> or <footer> say: a page's landmarks around
** its main content (readability.js drops them with the unlikely names; dialogs: modal). */
static int aside_role(xmlNodePtr n) {
  static const char *const roles[] = { "navigation", "complementary", "menu", "menubar", "alert", "banner",
                                       "contentinfo", "search", NULL };
  xmlChar *v = xmlGetProp(n, (const xmlChar *)"role");
  int r = v && in_list((const char *)v, roles);
  xmlFree(v);
  return r;
}

/* A dialog over the page (a consent box, a newsletter's or a paywall's call): never the
** article, in any attempt. */
static int modal(xmlNodePtr n) {
  static const char *const roles[] = { "dialog", "alertdialog", NULL };
  xmlChar *v = xmlGetProp(n, (const xmlChar *)"role");
  int r = v && in_list((const char *)v, roles);
  xmlFree(v);
  if (!r && (v = xmlGetProp(n, (const xmlChar *)"aria-modal")) != NULL) {
    r = strcasecmp((const char *)v, "true") == 0;
    xmlFree(v);
  }
  return r;
}

/* Where the first of words occurs in hay, or NULL. */
static const char *first_of(const char *hay, const char *const *words) {
  const char *first = NULL;
  for (; *words; words++) {
    const char *at = strstr(hay, *words);
    if (at && (!first || at < first)) first = at;
  }
  return first;
}

/* Do class and id names (names_of's "a b c ") say the block is not the article?  A name
** that says sidebar, share, related ... does, unless a name of the block says content
** first ("sidebar content", "contentWithSidebar": a page's main column).  A content word
** after it in the same name does not count: "jp-relatedposts" is related posts,
** "comment-body" a comment. */
static int unlikely_names(const char *names, const char *const *words) {
  int bad = 0, good = 0;
  while (*names) {
    char one[256];
    size_t len = strcspn(names, " ");
    if (len > 0 && len < sizeof one) {
      const char *u, *l;
      memcpy(one, names, len);
      one[len] = '\0';
      u = first_of(one, words);
      l = first_of(one, likely);
      if (u && (!l || u < l)) bad = 1;
      else if (l) good = 1;
    }
    names += len;
    names += strspn(names, " ");
  }
  return bad && !good;
}

static int droppable(xmlNodePtr n) {
  char names[512];
  if (n->type == XML_COMMENT_NODE) return 1;
  if (n->type != XML_ELEMENT_NODE || n->name == NULL) return 0;
  if (in_list((const char *)n->name, junk_tags))
    return !(flags & KEEP_LANDMARKS) || !in_list((const char *)n->name, landmark_tags);
  if (flags && !is(n, "html") && !is(n, "body") && hidden(n)) return 1;
  if (is(n, "html") || is(n, "body") || is(n, "article") || is(n, "main")) return 0;
  if (modal(n)) return 1;
  names_of(n, names, sizeof names);
  if (names[0] && unlikely_names(names, consent_box)) return 1;
  if (!(flags & STRIP_UNLIKELY)) return 0;
  if (aside_role(n)) return 1;
  return names[0] && unlikely_names(names, unlikely);
}

/* ---- lazy images ---- */

static const char *const lazy_attrs[] = {
  "data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src", "data-full-src",
  "data-srcset", "srcset", NULL
};

/* An image source that is no image yet: none, a data: URL, a transparent pixel. */
static int placeholder(const xmlChar *src) {
  const char *s = (const char *)src;
  if (s == NULL || !s[0] || strncasecmp(s, "data:", 5) == 0) return 1;
  return strstr(s, "blank.") || strstr(s, "placeholder") || strstr(s, "spacer.") || strstr(s, "pixel.") ||
         strstr(s, "lazy") || strstr(s, "1x1");
}

/* A page that builds its article with a script (from a <script type="text/template">, say)
** keeps a copy for readers without scripts in <noscript>; orrery runs no script, so that
** copy is the article.  A <noscript> holding text (200 bytes of it, not "enable
** JavaScript") gives its content to the page in its place; a smaller one stays junk. */
static void noscript_text(xmlNodePtr root) {
  xmlNodePtr n;
  for (n = root; n; n = next_node(n, root)) {
    xmlChar *t;
    long len = 0;
    const xmlChar *p;
    if (!is(n, "noscript") || n->children == NULL) continue;
    if ((t = xmlNodeGetContent(n)) == NULL) continue;
    for (p = t; *p && len < 200; p++) len += *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r';
    xmlFree(t);
    if (len >= 200)
      while (n->children) {                  /* (moved before it: the walk goes on after it) */
        xmlNodePtr c = n->children;
        xmlUnlinkNode(c);
        xmlAddPrevSibling(n, c);
      }
  }
}

/* An image a script would load (lazy loading) gets its real source as src; so does the
** copy inside <noscript> that a page keeps for readers without scripts, which takes the
** placeholder's place. */
static void unlazy(xmlNodePtr root) {
  xmlNodePtr n;
  for (n = root; n; n = next_node(n, root)) {
    xmlChar *src;
    const char *const *a;
    if (is(n, "noscript")) {
      xmlNodePtr img, prev = n->prev;
      for (img = n->children; img && !is(img, "img"); img = img->next) {}
      if (img == NULL) continue;
      while (prev && prev->type != XML_ELEMENT_NODE) prev = prev->prev;
      if (prev && is(prev, "img")) {           /* the lazy copy before it: one image is enough */
        int lazy = 0;
        src = xmlGetProp(prev, (const xmlChar *)"src");
        for (a = lazy_attrs; *a && !lazy; a++) lazy = xmlHasProp(prev, (const xmlChar *)*a) != NULL;
        if (placeholder(src) || lazy) {
          xmlUnlinkNode(prev);
          xmlFreeNode(prev);
        }
        xmlFree(src);
      }
      xmlUnlinkNode(img);
      xmlAddPrevSibling(n, img);           /* (the empty noscript goes with the page's chrome) */
      continue;
    }
    if (!is(n, "img")) continue;
    src = xmlGetProp(n, (const xmlChar *)"src");
    if (placeholder(src)) {
      for (a = lazy_attrs; *a; a++) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *)*a);
        if (v && v[0] && !placeholder(v)) {
          size_t k = strcspn((const char *)v, " ,\t\n");   /* (a srcset's first URL) */
          v[k] = '\0';
          xmlSetProp(n, (const xmlChar *)"src", v);
          xmlFree(v);
          break;
        }
        xmlFree(v);
      }
    }
    xmlFree(src);
  }
}

static void strip(xmlNodePtr root) {
  xmlNodePtr n = root->children;
  while (n) {
    if (droppable(n)) {
      xmlNodePtr after = skip(n, root);
      xmlUnlinkNode(n);
      xmlFreeNode(n);
      n = after;
    } else {
      n = next_node(n, root);
    }
  }
}

/* Is the UTF-8 sequence at s a comma of another script: Arabic's (U+060C), the ideographic
** ones of Chinese and Japanese (U+3001, U+FF0C), or a presentation form of one (U+FE10,
** U+FE11, U+FE50, U+2E41)?  Running text in those languages has them where English has
** ",", and a paragraph's commas are what tell prose from a list of links. */
static int other_comma(const unsigned char *s) {
  if (s[0] == 0xD8) return s[1] == 0x8C;
  if (s[0] == 0xE3) return s[1] == 0x80 && s[2] == 0x81;
  if (s[0] == 0xEF) return (s[1] == 0xBC && s[2] == 0x8C) || (s[1] == 0xB8 && (s[2] == 0x90 || s[2] == 0x91)) ||
                           (s[1] == 0xB9 && s[2] == 0x90);
  if (s[0] == 0xE2) return s[1] == 0xB9 && s[2] == 0x81;
  return 0;
}

/* Text bytes of s with whitespace runs counted once, and its commas. */
static void measure_text(const char *s, long *len, long *commas) {
  int space = 1;
  for (; *s; s++) {
    int ws = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == '\f';
    if (ws) { if (!space) (*len)++; space = 1; }
    else {
      (*len)++;
      space = 0;
      if (*s == ',' || ((unsigned char)*s >= 0xD8 && other_comma((const unsigned char *)s))) (*commas)++;
    }
  }
}

static info *at(walk *w, xmlNodePtr n) {
  return n && n->_private ? &w->v[(size_t)n->_private - 1] : NULL;
}

/* List the elements under root in document order with their parent links (node->_private
** holds index + 1 while we work), then add up text from the bottom. */
static int measure(walk *w, xmlNodePtr root) {
  xmlNodePtr n;
  size_t i;
  for (n = root; n; n = next_node(n, root)) {
    info *p;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      p = at(w, n->parent);
      if (p && n->content) measure_text((const char *)n->content, &p->own, &p->own_commas);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE) continue;
    if (w->n == w->cap) {
      size_t cap = w->cap ? w->cap * 2 : 256;
      info *v = realloc(w->v, cap * sizeof *v);
      if (v == NULL) return -1;
      w->v = v;
      w->cap = cap;
    }
    p = n == root ? NULL : at(w, n->parent);
    memset(&w->v[w->n], 0, sizeof w->v[0]);
    w->v[w->n].node = n;
    w->v[w->n].parent = p ? (int)(p - w->v) : -1;
    if (p && in_list((const char *)n->name, block_tags)) p->has_block = 1;
    w->n++;
    n->_private = (void *)w->n;
  }
  for (i = w->n; i-- > 0;) {
    info *e = &w->v[i];
    e->text += e->own;
    e->commas += e->own_commas;
    /* (an <a name> without href is an anchor, not a link: its text is the page's own) */
    if (is(e->node, "a") && xmlHasProp(e->node, (const xmlChar *)"href")) e->links = e->text;
    if (e->parent >= 0) {
      info *p = &w->v[e->parent];
      xmlNodePtr c = e->node;
      p->text += e->text;
      p->links += e->links;
      p->commas += e->commas;
      p->paras += e->paras + is(c, "p");
      p->imgs += e->imgs + is(c, "img");
      p->items += e->items + is(c, "li");
      p->inputs += e->inputs + (is(c, "input") || is(c, "select") || is(c, "textarea") || is(c, "button"));
    }
  }
  return 0;
}

static double tag_weight(xmlNodePtr n) {
  const char *t = (const char *)n->name;
  if (!strcasecmp(t, "article")) return 10;
  if (!strcasecmp(t, "div") || !strcasecmp(t, "main") || !strcasecmp(t, "section")) return 5;
  if (!strcasecmp(t, "pre") || !strcasecmp(t, "td") || !strcasecmp(t, "blockquote")) return 3;
  if (in_list(t, (const char *const[]){ "address", "ol", "ul", "dl", "dd", "dt", "li", NULL })) return -3;
  if (in_list(t, (const char *const[]){ "h1", "h2", "h3", "h4", "h5", "h6", "th", NULL })) return -5;
  return 0;
}

static void credit(info *c, double points) {
  if (!c->candidate) {
    c->candidate = 1;
    c->score = tag_weight(c->node) + class_weight(c->node);
  }
  c->score += points;
}

static double link_density(const info *e) {
  return e->text > 0 ? (double)e->links / (double)e->text : 0;
}

static int is_paragraph(const info *e) {
  xmlNodePtr n = e->node;
  return is(n, "p") || is(n, "pre") || is(n, "td") || is(n, "blockquote") ||
         ((is(n, "div") || is(n, "section")) && !e->has_block);
}

static double points(long text, long commas) {
  return 1 + (double)commas + (text / 100 < 3 ? (double)(text / 100) : 3);
}

static info *score(walk *w) {
  size_t i;
  info *best = NULL;
  for (i = 0; i < w->n; i++) {
    info *e = &w->v[i];
    double pts;
    int up = 0;
    if (is_paragraph(e)) {
      if (e->text < 25) continue;
      if (link_density(e) > 0.8) continue;   /* names or tags, comma-separated links: no prose */
      pts = points(e->text, e->commas);
    } else if (e->has_block && e->own >= 25 && !is(e->node, "body") && !is(e->node, "html")) {
      /* text written straight into a container between its blocks (<br><br> paragraphs):
         the container holds paragraphs, so it is scored as their parent */
      pts = points(e->own, e->own_commas);
      credit(e, pts);
      up = 1;
    } else {
      continue;
    }
    for (; up < 3 && e->parent >= 0; up++) {
      e = &w->v[e->parent];
      credit(e, pts / (up == 0 ? 1 : up == 1 ? 2 : 6));
    }
  }
  for (i = 0; i < w->n; i++) {
    info *e = &w->v[i];
    if (!e->candidate) continue;
    e->score *= 1 - link_density(e);
    if (best == NULL || e->score > best->score) best = e;
  }
  return best;
}

/* Does info a contain e (is a an ancestor of e, or e itself)? */
static int contains(const walk *w, const info *a, const info *e) {
  int want = (int)(a - w->v), i;
  for (i = (int)(e - w->v); i >= 0; i = w->v[i].parent) if (i == want) return 1;
  return 0;
}

/* An article cut into blocks (a review between image galleries, a story between pull
** quotes and ads) gives several blocks that each score near the best one, which holds
** only its part: the article is then the nearest ancestor of the best that holds at least
** three of the (at most five) blocks scoring within 75 % of it.  (readability.js's rule;
** attempt() takes it only when it finds much more text.) */
#define NEAR_BEST 5
static info *widen(walk *w, info *best) {
  info *near[NEAR_BEST];
  int nnear = 0, i, a;
  size_t k;
  for (k = 0; k < w->n; k++) {
    info *e = &w->v[k];
    if (!e->candidate || e == best || e->score < best->score * 0.75) continue;
    if (nnear < NEAR_BEST) near[nnear++] = e;
    else {                                      /* keep the best NEAR_BEST */
      int low = 0;
      for (i = 1; i < NEAR_BEST; i++) if (near[i]->score < near[low]->score) low = i;
      if (e->score > near[low]->score) near[low] = e;
    }
  }
  if (nnear < 3) return best;
  for (a = best->parent; a >= 0 && !is(w->v[a].node, "body") && !is(w->v[a].node, "html"); a = w->v[a].parent) {
    int holds = 0;
    for (i = 0; i < nnear; i++) holds += contains(w, &w->v[a], near[i]);
    if (holds >= 3) return &w->v[a];
  }
  return best;
}

/* Does sibling s of the winner belong to the article too?  When it scores near it, or is
** a paragraph of text: long with few links, or short without links and ending a sentence. */
static int joins(const info *s, double threshold) {
  double ld = link_density(s);
  xmlChar *t;
  int ends;
  if (is(s->node, "header") || is(s->node, "h1")) return 0;   /* the title and byline: the planet shows its own */
  if (s->candidate && s->score >= threshold) return 1;
  if (!is(s->node, "p")) return 0;
  if (s->text > 80) return ld < 0.25;
  if (s->text == 0 || ld > 0) return 0;
  t = xmlNodeGetContent(s->node);
  ends = 0;
  if (t) {
    int len = xmlStrlen(t);
    while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\n' || t[len - 1] == '\t')) len--;
    ends = len > 0 && (t[len - 1] == '.' || t[len - 1] == '!' || t[len - 1] == '?');
    xmlFree(t);
  }
  return ends;
}

/* Remove n and its subtree, forgetting the elements of it that measure() listed. */
static void drop(walk *w, xmlNodePtr n) {
  xmlNodePtr c;
  for (c = n; c; c = next_node(c, n)) {
    info *e = c->type == XML_ELEMENT_NODE ? at(w, c) : NULL;
    if (e) e->node = NULL;
  }
  xmlUnlinkNode(n);
  xmlFreeNode(n);
}

/* Is block e inside the article chrome rather than text (readability.js's "clean
** conditionally", in part)?  Mostly links (related posts, tag clouds); an image gallery
** (images without paragraphs); a form; a list of links. */
static int chrome(const info *e) {
  xmlNodePtr n = e->node;
  double ld = link_density(e);
  if (is(n, "form")) return e->text < 1000;
  if (!(is(n, "ul") || is(n, "ol") || is(n, "div") || is(n, "section") || is(n, "table") || is(n, "figure")))
    return 0;
  if (ld > 0.5 && e->text < 400) return 1;
  if (e->commas >= 10) return 0;                /* running text */
  if (e->imgs > 1 && e->paras * 2 < e->imgs && e->text < 1000 && !is(n, "figure")) return 1;
  if (e->inputs > 0 && e->inputs * 3 > e->paras) return 1;
  if (!is(n, "ul") && !is(n, "ol") && e->items > e->paras + 2 && ld > 0.2) return 1;
  return 0;
}

/* Words that label what is not the article (an ad's slot, the start of a list of other
** posts), compared with an element's whole text (ASCII letters in either case; the
** letters of other scripts as pages write them), in the languages the web is written in. */
static const char *const labels[] = {
  "advertisement", "advertisements", "advert", "ad", "sponsored", "sponsored content",
  "continue reading below", "story continues below", "story continues below advertisement",
  "article continues below advertisement", "continue reading the main story", "skip advertisement",
  "anzeige", "werbung", "publicité", "publicite", "publicidad", "pubblicità", "publicidade", "advertentie",
  "reklama", "reklame", "reklam", "annons", "annonse", "mainos", "Реклама", "реклама", "Διαφήμιση", "إعلان",
  "広告", "广告", "廣告", "광고", NULL
};
static const char *const list_heads[] = {
  "related", "you may also like", "you might also like", "more from", "recommended", "read more",
  "read next", "most popular", "trending", "more stories", "related stories", "related articles",
  "related posts", "more on this", "see also",
  "Ähnliche artikel", "ähnliche artikel", "verwandte artikel", "das könnte sie auch interessieren",
  "mehr zum thema", "lesen sie auch", "auch interessant", "weitere artikel", "articles similaires",
  "à lire aussi", "À lire aussi", "a lire aussi", "lire aussi", "sur le même sujet", "articles liés",
  "vous aimerez aussi", "artículos relacionados", "noticias relacionadas", "te puede interesar",
  "también te puede interesar", "lee también", "te recomendamos", "articoli correlati", "leggi anche",
  "potrebbe interessarti", "ti potrebbe interessare", "artigos relacionados", "posts relacionados",
  "notícias relacionadas", "leia também", "veja também", "gerelateerde artikelen", "lees ook",
  "meer over dit onderwerp", "podobne artykuły", "zobacz też", "czytaj też", "czytaj także", "polecamy",
  "související články", "mohlo by vás zajímat", "relaterade artiklar", "läs också", "relaterte artikler",
  "les også", "relaterede artikler", "læs også", "lue myös", "aiheeseen liittyvät", "ilgili haberler",
  "benzer yazılar", "Похожие статьи", "Похожие записи", "Читайте также", "Смотрите также", "Рекомендуем",
  "Σχετικά άρθρα", "مقالات ذات صلة", "اقرأ أيضا", "اقرأ أيضاً", "関連記事", "おすすめ記事", "あわせて読みたい",
  "相关文章", "相關文章", "相关阅读", "相關閱讀", "推荐阅读", "推薦閱讀", "관련 기사", "관련기사", NULL
};

/* The text of n, trimmed and lower case (ASCII), in buf (cut at size). */
static const char *short_text(xmlNodePtr n, char *buf, size_t size) {
  xmlChar *t = xmlNodeGetContent(n);
  const char *s = (const char *)t;
  size_t len = 0;
  int space = 1;
  buf[0] = '\0';
  if (t == NULL) return buf;
  for (; *s && len + 1 < size; s++) {
    char c = *s;
    /* (a no-break space is C2 A0 in UTF-8: A0 alone is a continuation byte, as in "Р") */
    int ws = c == ' ' || c == '\n' || c == '\t' || c == '\r' || ((unsigned char)c == 0xc2 && (unsigned char)s[1] == 0xa0);
    if ((unsigned char)c == 0xc2 && ws) s++;
    if (ws) { if (!space) buf[len++] = ' '; space = 1; continue; }
    if (c == ':' || c == '.') continue;
    buf[len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    space = 0;
  }
  while (len > 0 && buf[len - 1] == ' ') len--;
  buf[len] = '\0';
  xmlFree(t);
  return buf;
}

/* An element whose whole text labels an ad slot or heads a list of other posts. */
static int label(const info *e, const char *const *words) {
  char t[64];
  if (e->text == 0 || e->text > 40) return 0;
  return in_list(short_text(e->node, t, sizeof t), words);
}

/* A line that is all link, short: "Read more on X by clicking here", "Follow us". */
static int link_line(const info *e) {
  return (is(e->node, "p") || is(e->node, "div") || is(e->node, "li")) && e->text > 0 && e->text < 150 &&
         link_density(e) > 0.8 && e->commas == 0;
}

/* What the planet shows beside the article, or no reader wants twice: the article's
** <header> (its title, byline and date), a heading that repeats the page's title, and a
** figure's caption (a photo's description and credit: not the article's text, as the
** human-marked corpora have it).  A long <header> stays: it holds more than that. */
static int heading(const walk *w, const info *e) {
  char t[256];
  if (is(e->node, "figcaption")) return 1;
  if (is(e->node, "header")) return e->text < 400;
  if (!is(e->node, "h1") || e->text < 10 || e->text > 200 || !w->title[0]) return 0;
  return strstr(w->title, short_text(e->node, t, sizeof t)) != NULL;
}

/* Cut the blocks inside the article that are chrome. */
static void prune(walk *w, xmlNodePtr top) {
  xmlNodePtr n = top->children;
  if (!(flags & PRUNE_LINKS)) return;
  while (n) {
    info *e = at(w, n);
    if (e && n->type == XML_ELEMENT_NODE && label(e, list_heads)) {
      /* "Related" and what follows it when that is links */
      xmlNodePtr sib = n->next;
      info *f;
      while (sib && sib->type != XML_ELEMENT_NODE) sib = sib->next;
      f = sib ? at(w, sib) : NULL;
      if (f && link_density(f) > 0.3) {
        xmlNodePtr after = skip(sib, top);
        drop(w, sib);
        drop(w, n);
        n = after;
        continue;
      }
    }
    if (e && n->type == XML_ELEMENT_NODE && (chrome(e) || label(e, labels) || link_line(e) || heading(w, e))) {
      xmlNodePtr after = skip(n, top);
      drop(w, n);
      n = after;
    } else {
      n = next_node(n, top);
    }
  }
}

static void forget(walk *w) {
  size_t i;
  for (i = 0; i < w->n; i++) if (w->v[i].node) w->v[i].node->_private = NULL;
}

static int inside(xmlNodePtr n, xmlNodePtr root) {
  for (; n; n = n->parent) if (n == root) return 1;
  return 0;
}

/* Is n inside comments, related posts, a sidebar...: the names of an ancestor it does not
** share with the winner say so.  (Those it shares say nothing about it: a page's <html> or
** <body> classes often read "has-comments has-sidebar".) */
static int in_chrome(xmlNodePtr n, xmlNodePtr winner) {
  char names[512];
  for (; n && n->type == XML_ELEMENT_NODE && !inside(winner, n); n = n->parent)
    if (names_of(n, names, sizeof names)[0] && mentions(names, negative)) return 1;
  return 0;
}

/* Do class lists a and b start with the same class, one that says content ("story-body
** story-body-1" and "story-body story-body-2": numbered parts of one article)?  A layout
** class ("col col-8", "col col-4") is no such sign. */
static int same_content_class(const char *a, const char *b) {
  char first[64];
  size_t la, lb, i;
  a += strspn(a, " \t\n");
  b += strspn(b, " \t\n");
  la = strcspn(a, " \t\n");
  lb = strcspn(b, " \t\n");
  if (la == 0 || la != lb || la >= sizeof first || memcmp(a, b, la) != 0) return 0;
  for (i = 0; i < la; i++) first[i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
  first[la] = '\0';
  return mentions(first, likely);
}

/* An article cut into parts (by images, ads, a layout change): the other parts are blocks
** elsewhere in the page with the winner's class, text and few links.  Those before the
** winner's block (before = 1) or after it are written, in document order; `done` is what
** the winner's own output covers. */
static void parts(walk *w, xmlBufferPtr b, htmlDocPtr doc, const info *best, xmlNodePtr done, int before) {
  xmlChar *cls = xmlGetProp(best->node, (const xmlChar *)"class");
  size_t i, me = (size_t)(best - w->v);
  if (cls == NULL || cls[0] == '\0') { xmlFree(cls); return; }
  for (i = before ? 0 : me + 1; i < (before ? me : w->n); i++) {
    info *e = &w->v[i];
    xmlChar *c;
    int same;
    if (e->node == NULL || e->text <= 80 || e->paras < 2 || link_density(e) >= 0.25 || inside(e->node, done) ||
        inside(best->node, e->node))
      continue;
    c = xmlGetProp(e->node, (const xmlChar *)"class");
    same = c && (xmlStrcmp(c, cls) == 0 || same_content_class((const char *)c, (const char *)cls));
    xmlFree(c);
    if (!same || xmlStrcmp(e->node->name, best->node->name) != 0 || in_chrome(e->node, best->node)) continue;
    prune(w, e->node);
    htmlNodeDump(b, doc, e->node);
    done = e->node;              /* (its descendants are not parts of their own) */
  }
  xmlFree(cls);
}

/* Text bytes of an HTML string (what is outside tags), whitespace runs counted once. */
static long text_length(const char *html) {
  long n = 0;
  int in_tag = 0, space = 1;
  for (; *html; html++) {
    char c = *html;
    if (c == '<') in_tag = 1;
    else if (c == '>') in_tag = 0;
    else if (!in_tag) {
      int ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
      if (!ws || !space) n++;
      space = ws;
    }
  }
  return n;
}

/* The article with best as its winner: best's content, with the siblings that belong to
** it and the parts elsewhere, in document order; malloc'd, NULL if out of memory. */
static char *emit(walk *w, htmlDocPtr doc, const info *best) {
  xmlNodePtr s, parent = best->node->parent;
  double threshold = best->score * 0.2 > 10 ? best->score * 0.2 : 10;
  xmlBufferPtr b = xmlBufferCreate();
  char *out;
  if (b == NULL) return NULL;
  if (parent == NULL || parent->type != XML_ELEMENT_NODE) parent = NULL;
  parts(w, b, doc, best, parent ? parent : best->node, 1);
  for (s = parent ? parent->children : best->node; s; s = parent ? s->next : NULL) {
    info *e = s->type == XML_ELEMENT_NODE ? at(w, s) : NULL;
    if (s == best->node) {
      xmlNodePtr c;
      prune(w, s);
      for (c = s->children; c; c = c->next) htmlNodeDump(b, doc, c);
    } else if (e && joins(e, threshold)) {
      prune(w, s);
      htmlNodeDump(b, doc, s);
    }
  }
  parts(w, b, doc, best, parent ? parent : best->node, 0);
  out = malloc((size_t)xmlBufferLength(b) + 1);
  if (out) {
    memcpy(out, xmlBufferContent(b), (size_t)xmlBufferLength(b));
    out[xmlBufferLength(b)] = '\0';
  }
  xmlBufferFree(b);
  return out;
}

static char *attempt(htmlDocPtr doc, const char **err) {
  xmlNodePtr root = xmlDocGetRootElement(doc), t;
  walk w = { NULL, 0, 0, "" };
  info *best, *wider;
  char *out = NULL;
  if (err) *err = NULL;
  if (root == NULL) return NULL;
  noscript_text(root);
  unlazy(root);
  strip(root);
  if (measure(&w, root) < 0) {
    forget(&w);
    free(w.v);
    if (err) *err = "out of memory";
    return NULL;
  }
  best = score(&w);
  if (best == NULL || best->score <= 0) { forget(&w); free(w.v); return NULL; }
  for (t = root; t && !is(t, "body"); t = next_node(t, root))
    if (is(t, "title")) { short_text(t, w.title, sizeof w.title); break; }
  out = emit(&w, doc, best);
  /* the wider article only when it has a quarter more text: else what it adds is mostly
  ** chrome around a winner that had it all (a video, a share bar, a caption) */
  if (out && (wider = widen(&w, best)) != best) {
    char *more = emit(&w, doc, wider);
    if (more && text_length(more) > text_length(out) * 5 / 4) { free(out); out = more; } else free(more);
  }
  forget(&w);
  free(w.v);
  if (out == NULL && err) *err = "out of memory";
  return out;
}

/* Enough text that an attempt's result is taken without trying with fewer rules. */
#define ENOUGH 500

char *orr_readable(htmlDocPtr doc, const char **err) {
  static const int plans[] = { STRIP_UNLIKELY | WEIGHT_CLASSES | PRUNE_LINKS, WEIGHT_CLASSES | PRUNE_LINKS,
                               PRUNE_LINKS, 0, KEEP_LANDMARKS | WEIGHT_CLASSES | PRUNE_LINKS };
  const int nplans = (int)(sizeof plans / sizeof plans[0]);
  char *best = NULL;
  long best_len = -1;
  int i;
  if (err) *err = NULL;
  for (i = 0; i < nplans; i++) {
    /* each attempt removes what it rejects: the earlier ones work on copies, the last on doc */
    htmlDocPtr d = i == nplans - 1 ? doc : xmlCopyDoc(doc, 1);
    const char *e = NULL;
    char *out;
    long len;
    if (d == NULL) { free(best); if (err) *err = "out of memory"; return NULL; }
    flags = plans[i];
    out = attempt(d, &e);
    if (d != doc) xmlFreeDoc(d);
    if (e) { free(out); free(best); if (err) *err = e; return NULL; }
    len = out ? text_length(out) : -1;
    if (len >= ENOUGH && best_len < 0) return out;
    /* a later attempt, with fewer rules, wins only by finding much more: what it adds to
    ** a result of the stricter rules is mostly what they rightly cut */
    if (len > best_len * 2 + 100) { free(best); best = out; best_len = len; } else free(out);
    if (best_len >= ENOUGH) break;
  }
  return best;
}
