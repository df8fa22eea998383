/*
** htmltok.h — the events libxml2's HTML parser gives for a fragment, read without it, for
** the plain fragments most feeds carry.
**
** libxml2's HTML parser decodes and copies every character on its own; on entry content it
** was half of all the time orrery spent on a feed.  This reads the common case (elements
** libxml2 knows, attributes quoted or not, character references, comments, script and
** style) in whole runs and gives the events libxml2 gives for it, in the same order, with
** the same names and decoded values.  Anything it does not read exactly as libxml2 does
** (invalid UTF-8, an element it has no rules for, a tag cut off by the end of the input, a
** malformed reference, a doctype, ...) makes it decline, and the caller runs libxml2.
** Where libxml2 closes elements by itself (<p> after <p>, an end tag that skips open
** elements), this asks libxml2 once per pair of names what it does (see closes()).
** tests/fuzz/fuzz_html checks the claim on every input: sanitized with and without this
** path, it must come out the same.
*/
#ifndef ORR_HTMLTOK_H
#define ORR_HTMLTOK_H

#include <stddef.h>

typedef struct {
  /* atts: name, value, name, value, ..., NULL (or atts NULL); a value is NULL for a bare
  ** attribute.  Names are lower case, as libxml2 gives them. */
  void (*start)(void *u, const char *name, const char **atts);
  void (*end)(void *u, const char *name);
  void (*text)(void *u, const char *s, size_t len);
} orr_html_events;

/* The events libxml2 gives for html parsed as "<div>" html: what comes after the start of
** that <div> (in the implied <html><body>) up to the end of the body: the <div>'s end
** included, wherever it comes (a stray "</div>" ends it early, and what follows it is in the
** body).  Returns 1 when they were all given,
** 0 when this declined (out of memory too): some events may have been given by then, and
** the caller forgets what they did and parses with libxml2. */
int orr_htmltok(const char *html, size_t len, const orr_html_events *ev, void *u);

/* 1 if the running libxml2 is of the series (2.9) whose rules this follows; with any other,
** orr_htmltok always declines. */
int orr_htmltok_verified(void);

#endif
