/*
** html.h — HTML fragments from feeds: allowlist sanitizing, text extraction, the XML text
** and base of feed elements.  Pure C over libxml2's HTML parser (no network, no entity
** loading).  URLs in the HTML go through url.h's orr_url_clean.
*/
#ifndef ORR_HTML_H
#define ORR_HTML_H

#include <stddef.h>
#include <libxml/HTMLparser.h>

/* Parse an HTML fragment or page (UTF-8).  Returns NULL only when out of memory; an empty
** input gives an empty document.  Free with xmlFreeDoc. */
htmlDocPtr orr_html_parse(const char *html, size_t len, const char *url);

/* Parse a whole page as it was fetched, in its own encoding: a byte order mark, else
** charset (HTTP's Content-Type charset; NULL or "" for none), else a <meta> in its first
** 1024 bytes, else UTF-8 when the bytes are UTF-8, else windows-1252. */
htmlDocPtr orr_html_parse_page(const char *html, size_t len, const char *url, const char *charset);

/* Free what the calling thread cached for parsing (its parser context).  Worker threads
** call it before they end; the next parse on the thread would make a new one. */
void orr_html_thread_end(void);

/* Sanitize a fragment: re-serialize only allowed elements, attributes and URL schemes from
** what libxml2 parsed; relative URLs are resolved against base (may be NULL).  Returns a
** malloc'd string (caller frees), NULL if out of memory. */
char *orr_html_sanitize(const char *html, size_t len, const char *base);

/* Whether orr_html_sanitize and orr_html_text read plain fragments with orr_htmltok
** (htmltok.h) instead of libxml2's parser: on (1) unless turned off, which tests and the
** fuzzer do to check that both give the same.  Returns the previous setting. */
int orr_html_fast_path(int on);

/* Seconds the calling thread has spent in orr_html_sanitize and _node so far, on the
** steady clock (orr_clock_now): a caller that knows its CPU time over a stretch takes the
** sanitizer's share of that stretch as its share of the CPU. */
double orr_html_sanitize_time(void);

/* Sanitize the children of node (e.g. an Atom xhtml <div>) the same way. */
char *orr_html_sanitize_node(xmlNodePtr node, const char *base);

/* The text of an HTML fragment: markup removed, entities decoded, whitespace runs kept.
** Returns a malloc'd string, NULL if out of memory. */
char *orr_html_text(const char *html, size_t len);

/* The text of HTML that this sanitizer wrote (well-formed, only &amp; &lt; &gt; &quot; and
** numeric references in it): one linear scan, no parse, for the search index of stored
** entries.  Block elements separate lines.  On other input it still returns text (tags
** dropped), only less exactly than orr_html_text.  malloc'd, NULL if out of memory. */
char *orr_html_text_sanitized(const char *html, size_t len);

/* The scan behind orr_html_text_sanitized, for callers that want the text without a copy
** of it (an entry's dedupe key is hashed as it is read): out(ud, s, n) gets the text in
** order, runs of it and each decoded reference; out(ud, NULL, 1) a <br>, out(ud, NULL, 0)
** the start or end of a block element. */
typedef void orr_text_out(void *ud, const char *s, size_t n);
void orr_html_text_scan(const char *html, size_t len, orr_text_out *out, void *ud);

/* s with &, < and > escaped, as a new string (malloc'd, NULL if out of memory). */
char *orr_html_escape(const char *s);

/* 1 if an element of this (lower-case) name is kept by the sanitizer. */
int orr_html_allowed(const char *name);

/* Append the text of XML nodes (a sibling list): text and CDATA as they are, element
** children descended into, entity references expanded only when declared small and
** plain or when they name an HTML entity (&nbsp; in a feed without a DTD); anything else
** is written back as "&name;".  This is what keeps entity bombs out without NOENT. */
struct orr_buf;
void orr_xml_text(struct orr_buf *out, xmlNodePtr first);

/* The base URL in effect at node of an XML document: xml:base attributes applied from
** the root down, the document URL (or fallback) beneath them.  An xml:base with an unsafe
** scheme (javascript:) is skipped, as if it were not there.  malloc'd, or NULL if none. */
char *orr_xml_base(xmlNodePtr node, const char *fallback);

/* The text content of a node, with all descendants: malloc'd, NULL on OOM. */
char *orr_node_text(xmlNodePtr node);

#endif
