/*
** readable.h — find the article in a web page: the block of running text a reader came for,
** without the site's navigation, sidebars, share buttons and comment forms.
**
** The method is the one Arc90's Readability made common: paragraphs score their parents
** by length and commas, class and id names that say "sidebar" or "content" move the
** score, links count against it, and the best-scoring block wins, with its sibling
** paragraphs.  It is a heuristic: recipes that know a site name the body with a selector
** instead, and fall back to this.
*/
#ifndef ORR_READABLE_H
#define ORR_READABLE_H

#include <libxml/HTMLparser.h>

/* The article of doc as HTML (not yet sanitized: pass it through orr_html_sanitize), or
** NULL when no block of text was found; *err (if given) is set to "out of memory" when
** that is why.  The page's chrome is removed from doc as a side effect.  Linear in the
** size of the document, no recursion (any nesting depth is safe).  malloc'd. */
char *orr_readable(htmlDocPtr doc, const char **err);

#endif
