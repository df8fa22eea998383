/*
** css.h — CSS selectors translated to XPath 1.0, for recipes that scrape pages: CSS is what
** their authors know, XPath is what libxml2 evaluates.
**
** Supported (Selectors level 3, the part scraping needs): type and `*`, `#id`, `.class`,
** `[attr]`, `[attr=v]` `~=` `|=` `^=` `$=` `*=` (v an identifier or a quoted string),
** combinators ` ` `>` `+` `~`, groups `a, b`, and the pseudo-classes :first-child,
** :last-child, :only-child, :first-of-type, :last-of-type, :nth-child(an+b|odd|even),
** :nth-of-type(...), :not(simple selector), :empty, :root, and :contains("text") (from
** jQuery and cssselect, for "the link whose text says Read more").
*/
#ifndef ORR_CSS_H
#define ORR_CSS_H

#include <stddef.h>

/* The XPath of a selector, relative to the context node (it and its descendants), as a
** malloc'd string; or NULL with a message in err (size errlen) for a selector this does not
** read, or when out of memory.  Selectors longer than 4096 bytes, or not valid UTF-8, are
** refused. */
char *orr_css_to_xpath(const char *selector, char *err, size_t errlen);

#endif
