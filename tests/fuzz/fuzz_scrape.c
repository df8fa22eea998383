/* libFuzzer target: what a scraping recipe does to a page (orrery._html's Doc and Node):
** parse any bytes as HTML, select with the XPath expressions recipes use, take each node's
** text, attributes and cleaned URLs, and sanitize its subtree; then take the page's
** article by readability scoring (full_article feeds) and sanitize that. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

#include "html.h"
#include "url.h"
#include "readable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const queries[] = {
  "//a[@href]", "//article | //*[contains(concat(' ', normalize-space(@class), ' '), ' post ')]",
  "//h1/text() | //h2//text()", "//img/@src", "//*[@id][1]/following-sibling::*", "//time/@datetime",
  "//meta[@property='og:title']/@content", "//link[@rel='alternate']", NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  htmlDocPtr doc = orr_html_parse((const char *)data, size, "http://example.org/blog/");
  xmlXPathContextPtr xc;
  size_t q;
  if (doc == NULL) return 0;
  xc = xmlXPathNewContext(doc);
  for (q = 0; xc && queries[q]; q++) {
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)queries[q], xc);
    int i;
    if (r && r->nodesetval) {
      for (i = 0; i < r->nodesetval->nodeNr && i < 64; i++) {
        xmlNodePtr n = r->nodesetval->nodeTab[i];
        char *t = orr_node_text(n), *h = NULL, *u = NULL;
        xmlChar *href = n->type == XML_ELEMENT_NODE ? xmlGetProp(n, (const xmlChar *)"href") : NULL;
        if (href) u = orr_url_clean((const char *)href, "http://example.org/blog/");
        if (n->type == XML_ELEMENT_NODE) h = orr_html_sanitize_node(n, "http://example.org/blog/");
        free(t);
        free(u);
        free(h);
        xmlFree(href);
      }
    }
    xmlXPathFreeObject(r);
  }
  xmlXPathFreeContext(xc);
  {
    char *a = orr_readable(doc, NULL);      /* changes the tree: after the queries */
    if (a) free(orr_html_sanitize(a, strlen(a), "http://example.org/blog/"));
    free(a);
  }
  xmlFreeDoc(doc);
  return 0;
}
