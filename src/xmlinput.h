/*
** xmlinput.h — the bytes of a feed document made into something libxml2 reads whole.
**
** Feeds in the wild are often not what they declare.  Before the XML parser sees a
** document, each step below rewrites it when (and only when) it needs to, so that libxml2
** neither refuses nor truncates it:
**   - UTF-32, UTF-16 and EBCDIC documents become UTF-8 (libxml2 misses several of them);
**   - an encoding name libxml2 does not know is replaced by one it does (or a guess);
**   - a document read as UTF-8 whose bytes are not all UTF-8 gets its stray bytes read as
**     Windows-1252 ("Café" typed in a Windows editor), or, when most are not, is read as
**     Windows-1252 whole;
**   - characters XML forbids (NUL and other C0 controls, U+FFFE, U+FFFF) are removed:
**     libxml2 stops at the first one and every later entry would be lost;
**   - entities declared in the document's own DTD (its internal subset) are expanded
**     here, each to at most ORR_ENTITY_MAX bytes and all together to a bound, and the
**     declarations removed: libxml2 never sees a declaration, so an expansion bomb cannot
**     stop the parse (the entity that would blow up is refused, the entries stay); an
**     external entity is never loaded;
**   - HTML's named entities (&nbsp;, &eacute;), which feeds use without declaring them, become
**     character references, and a bare '&' becomes "&amp;";
**   - the text of CDATA sections and long runs of escaped text is set aside (not a repair:
**     libxml2 2.9 reads them a character or a reference at a time, most of parsing a
**     feed) and put back into the tree after the parse by orr_xml_input_restore.
** Every step that changed something says so in `note` (the feed is then flagged ill-formed).
*/
#ifndef ORR_XMLINPUT_H
#define ORR_XMLINPUT_H

#include <stddef.h>

#define ORR_ENTITY_MAX 65536    /* bytes one declared entity may expand to */
#define ORR_MAX_ATTRIBUTES 256  /* attributes of one tag that libxml2 gets to see */
#define ORR_MAX_ELEMENTS 500000 /* elements of a document orrery builds a tree of: libxml2's
                                   tree of 8 MB of "<x/>" (2 million) took 280 MB */

typedef struct orr_xml_input {
  const char *data;             /* what to hand to libxml2: the input or a rewritten copy */
  size_t      len;
  const char *encoding;         /* the encoding to tell libxml2, or NULL (the document's own) */
  char        note[200];        /* why the document counts as ill-formed, or "" */
  char       *copy;             /* private: the rewritten copy, if any */
  char        enc_buf[64];      /* private */
  struct orr_aside *aside;      /* private: CDATA sections and runs of text set aside (restore) */
  size_t      naside;
  char       *aside_from;       /* private: the copy their text lies in, if not the caller's */
  char       *aside_text;       /* private: runs of text read already (with references) */
  const char *plain;            /* private: the document as it was before they were set aside */
  size_t      plain_len;
  size_t      elements;         /* start tags in the document (CDATA and comments not read) */
} orr_xml_input;

/* Prepare len bytes at data (charset: from HTTP's Content-Type, may be NULL).  data must
** stay valid while `in` is used.  Returns 0 if out of memory. */
int  orr_xml_input_prepare(orr_xml_input *in, const char *data, size_t len, const char *charset);
void orr_xml_input_free(orr_xml_input *in);

/* The text of the CDATA sections that orr_xml_input_prepare set aside put back into the
** tree libxml2 made of in->data (or of any part of it): a doc as libxml2 would have made
** it from the document itself (XML_PARSE_NOCDATA: their text in text nodes).  Returns 0 if
** out of memory. */
struct _xmlDoc;
int  orr_xml_input_restore(const orr_xml_input *in, struct _xmlDoc *doc);

/* The document as it was before anything was set aside (in->data then holds it), for a
** document libxml2 found ill-formed: its recovery, every detail of it, is then libxml2's
** own (after an error libxml2 drops some references the set-aside text would keep, and its
** messages count lines of the bytes it read).  Returns whether anything changed. */
int  orr_xml_input_plain(orr_xml_input *in);
/* A document libxml2 could not read whole, with the markup it would lose read as HTML reads
** it: each '<' that starts no tag ("if a < b", "<3", "c<d</title>": libxml2 drops it, and
** what follows may go with it) and each '<' in a quoted attribute value (title="a<b", where
** libxml2 ends the tag and loses the element) written as &lt;, each attribute value without
** quotes quoted — outside CDATA sections and comments, where it is text already.  Returns 1
** when there was one (in->data is then the rewritten copy, and the note says so), else 0. */
int  orr_xml_input_bare_lt(orr_xml_input *in);

/* The document (XML, or HTML with html set) with the attributes of any tag past the max-th
** removed: libxml2 2.9 compares each attribute of a tag with every earlier one, so a tag
** with hundreds of thousands held a parse for minutes.  Returns a malloc'd copy (*tags: how
** many tags were cut), or NULL when no tag has more than max (or out of memory).  *elements
** is set to the number of start tags (what a tree of the document would hold). */
char *orr_attributes_capped(const char *d, size_t len, int html, size_t max, size_t *outlen, size_t *tags,
                            size_t *elements);

/* The encoding to read a charset name as: a name libxml2 knows (into buf when made up), ""
** when there is none, NULL when the name can stay as it is.  ISO-8859-1 and ASCII are read
** as windows-1252, as browsers do. */
const char *orr_encoding_alias(const char *name, char *buf, size_t n);

/* The n bytes at d, in the encoding `from` (windows-1252, KOI8-R, Shift_JIS, UTF-16LE, ...), as
** UTF-8 (malloc'd; its length in *outlen).  libxml2's own converter ends a document at the
** first byte it refuses; here such a byte becomes U+FFFD (in windows-1252, the C1 control of
** that number, as browsers read the five bytes that code page leaves undefined), *bad is set,
** and the rest is read.  NULL when iconv does not know `from`. */
char *orr_legacy_to_utf8(const char *d, size_t n, const char *from, size_t *outlen, int *bad);

/* Do the first bytes of the len at d show that they are not in the charset `name` (one that
** is not UTF-8) that HTTP, a declaration or a <meta> gave?  A UTF-8 byte order mark says
** UTF-8 (and outranks a charset, RFC 7303); a document that starts with "<" as the one byte
** 0x3C is not in a charset that writes "<" otherwise (UTF-16, UTF-32, UCS-2, EBCDIC: iconv
** is asked).  A server that names such a charset for an 8-bit feed would otherwise lose the
** whole feed.  1 for the mark, 2 for the "<", 0 when nothing contradicts the name. */
int orr_charset_contradicted(const char *d, size_t len, const char *name);

#endif
