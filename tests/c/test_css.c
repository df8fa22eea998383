/* Pure-C tests of css.c: each selector's XPath, evaluated on a page, finds what a browser's
** querySelectorAll would. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

#include "css.h"
#include "html.h"
#include "test.h"

static const char page[] =
  "<html><body><div id=main class='content wide'>"
  "<article class=post data-kind='news-flash'><h2><a href='/a'>First</a></h2><p>one</p><p>two</p></article>"
  "<article class='post draft'><h2><a href='/b' rel='bookmark tag'>Second</a></h2><p>Read more</p></article>"
  "<article class=post lang='en-GB'><h2>Third</h2><p></p></article>"
  "</div><ul><li>1</li><li>2</li><li>3</li><li>4</li><li>5</li></ul></body></html>";

/* The text of the nodes a selector finds, joined by '|'. */
static char *found(htmlDocPtr doc, const char *css) {
  static char out[1024];
  char err[200];
  char *x = orr_css_to_xpath(css, err, sizeof err);
  xmlXPathContextPtr xc = xmlXPathNewContext(doc);
  xmlXPathObjectPtr r;
  int i;
  out[0] = '\0';
  if (x == NULL) { snprintf(out, sizeof out, "ERR %s", err); xmlXPathFreeContext(xc); return out; }
  xc->node = (xmlNodePtr)doc;
  r = xmlXPathEvalExpression((const xmlChar *)x, xc);
  if (r == NULL) snprintf(out, sizeof out, "BAD XPATH %s", x);
  for (i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
    char *t = orr_node_text(r->nodesetval->nodeTab[i]);
    if (i) strncat(out, "|", sizeof out - strlen(out) - 1);
    strncat(out, t ? t : "?", sizeof out - strlen(out) - 1);
    free(t);
  }
  xmlXPathFreeObject(r);
  xmlXPathFreeContext(xc);
  free(x);
  return out;
}

/* What fuzz_css found (tests/fixtures/fuzz/css-*): refused with a reason, or XPath that
** libxml2 compiles. */
static void fuzz_found(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *de;
  while (d && (de = readdir(d)) != NULL) {
    char path[512], buf[4200], err[200], *x;
    size_t n;
    FILE *fp;
    if (strncmp(de->d_name, "css-", 4) != 0) continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if ((fp = fopen(path, "rb")) == NULL) continue;
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    x = orr_css_to_xpath(buf, err, sizeof err);
    if (x) {
      xmlXPathCompExprPtr c = xmlXPathCompile((const xmlChar *)x);
      CHECK(c != NULL);
      xmlXPathFreeCompExpr(c);
      free(x);
    } else {
      CHECK(err[0] != '\0');
    }
  }
  if (d) closedir(d);
}

int main(void) {
  htmlDocPtr doc = orr_html_parse(page, sizeof page - 1, NULL);
  char err[200];
  CHECK_STR(found(doc, "article.post h2"), "First|Second|Third");
  CHECK_STR(found(doc, "#main > article:first-child h2 a"), "First");
  CHECK_STR(found(doc, "article.draft a[rel~=tag]"), "Second");
  CHECK_STR(found(doc, "a[href^='/'][href$=b]"), "Second");
  CHECK_STR(found(doc, "[data-kind*=flash] p:last-child"), "two");
  CHECK_STR(found(doc, "article[lang|=en] h2"), "Third");
  CHECK_STR(found(doc, "article:not(.draft) > h2"), "First|Third");
  CHECK_STR(found(doc, "h2 + p"), "one|Read more|");
  CHECK_STR(found(doc, "article:nth-child(2) p:contains('Read more')"), "Read more");
  CHECK_STR(found(doc, "li:nth-child(2n+1)"), "1|3|5");
  CHECK_STR(found(doc, "li:nth-child(-n+2), li:last-child"), "1|2|5");
  CHECK_STR(found(doc, "li:nth-of-type(even)"), "2|4");
  CHECK_STR(found(doc, "p:empty"), "");
  CHECK_STR(found(doc, "article h2 > :only-child"), "First|Second");
  CHECK_STR(found(doc, "ul ~ *"), "");
  CHECK_STR(found(doc, "DIV#main > ARTICLE:last-child H2"), "Third");   /* names: any case */
  CHECK_STR(found(doc, "a[href=\"it's\"]"), "");
  CHECK(orr_css_to_xpath("a[x=\"it's \\\"q\\\"\"]", err, sizeof err) == NULL);   /* escapes: refused */
  CHECK(orr_css_to_xpath("a::before", err, sizeof err) == NULL && strstr(err, "pseudo-elements"));
  CHECK(orr_css_to_xpath("a >", err, sizeof err) == NULL);
  CHECK(orr_css_to_xpath("li:nth-child(x)", err, sizeof err) == NULL);
  CHECK(orr_css_to_xpath("'] | //script | a['", err, sizeof err) == NULL);        /* no injection */
  fuzz_found("tests/fixtures/fuzz");
  xmlFreeDoc(doc);
  orr_html_thread_end();
  return test_report();
}
