/*
** fetch.h — many HTTP GETs at once over one libcurl multi handle.
**
** The caller queues requests, then calls orr_fetch_next repeatedly, each time getting one
** finished transfer, while a thread of the batch keeps the others downloading and parsing
** threads run opts.process on finished ones: the caller stores one feed while the rest
** arrive.  At most opts.parallel transfers run at once and at most opts.per_host per host.
** That queue is the only one: libcurl is given no limit of its own (no per-host or total
** connection cap, no waiting for a connection to multiplex on), so a transfer handed to
** it starts at once, and its timeout counts from its own start; its time in our queue is
** reported apart (wait).  Connections are reused, DNS answers for a few seconds.  Only http
** and https are spoken, also after redirects.  A guarded request connects to no private
** address (loopback, private, link-local, unique-local, ...: checked on the address each
** connection actually reached, after DNS and after every redirect; through a proxy, the
** address its host resolves to here) except on the hosts it names.  A host that answers
** 429 or 503 is asked nothing more in the batch: its transfers not yet started end at once,
** held.  host_spacing_ms apart at least, two requests to one host start.  No callback ever
** calls out of C.  A batch is used from one thread (the caller's); it starts and stops its
** own.
*/
#ifndef ORR_FETCH_H
#define ORR_FETCH_H

#include <stddef.h>

#include "buf.h"

struct orr_transfer;

typedef struct orr_fetch_opts {
  long   parallel;            /* transfers at once (>= 1) */
  long   per_host;            /* connections per host (0 = no limit) */
  long   timeout_ms;          /* whole transfer */
  long   connect_timeout_ms;
  long   low_speed_time;      /* abort below low_speed_limit for this many seconds (0 = off) */
  long   low_speed_limit;     /* bytes per second */
  long   max_redirects;
  size_t max_bytes;           /* decompressed body cap */
  const char *user_agent;
  long   host_spacing_ms;     /* between the starts of two requests to one host (0: none) */
  /* Work on a finished transfer done off the caller's thread while the others download
  ** (for orrery: parsing the feed).  Called on one of `workers` threads (inline when
  ** threads cannot be had) for each transfer that completed and was queued with a note;
  ** it may set t->product, freed with free_product.  thread_end runs as a worker ends. */
  void (*process)(struct orr_transfer *t, void *ud);
  void (*free_product)(void *product);
  void (*thread_end)(void);
  void  *process_ud;
  int    workers;
} orr_fetch_opts;

typedef struct orr_transfer {
  size_t index;               /* the caller's number for this request (order of orr_fetch_add) */
  char  *url;                 /* as requested */
  char  *final_url;           /* after redirects */
  char  *moved_to;            /* set when every redirect hop was permanent (301/308) */
  long   status;              /* HTTP status of the last response, 0 if none */
  int    redirects;
  char  *etag, *last_modified, *content_type, *retry_after;   /* response headers or NULL */
  orr_buf body;               /* decoded (gzip/deflate undone) */
  orr_buf wire;               /* the body as the server sent it, when that was gzip and it
                                 decoded cleanly to exactly `body` (else empty): kept
                                 documents are stored so, not compressed again */
  int    ok;                  /* transfer completed (any HTTP status) */
  char   error[320];          /* why not, when !ok */
  double seconds;             /* the transfer's own time (from its start to its end) */
  double wait;                /* seconds it waited in the queue before it started */
  char  *note;                /* the caller's note for opts.process (NULL: not processed) */
  int    held;                /* not requested: its host had answered 429/503 (see error) */
  void  *product;             /* what opts.process made, or NULL */
  /* private */
  void (*free_product)(void *);
  struct orr_transfer *next;  /* in the work and done lists */
  void  *easy;
  void  *headers;
  char  *req_etag, *req_last_modified;
  int    all_permanent;
  long   hop_status;
  size_t max_bytes;
  int    too_big;
  int    coding;              /* of the last response: 0 identity, 1 gzip, 2 deflate, -1 other */
  char   coding_name[24];
  void  *z;                   /* the inflate stream, while one runs */
  int    z_end, z_raw;        /* it ended; deflate came without its zlib header */
  int    started;
  char  *guard;               /* NULL, or " host:port ... ": where a guarded request may
                                 reach a private address */
  char  *user_agent, *cookie, *userpwd, *proxy, *post, *extra_headers;  /* see orr_request */
  long   timeout_ms;
  int    refused;             /* the guard stopped it */
  int    proxied;             /* guarded, and a proxy may carry it (its own or the environment's) */
  double queued_at;
  char   host[128];             /* lower-case host of url, for the per-host limit */
  char   curl_error[256];
} orr_transfer;

typedef struct orr_fetch orr_fetch;

/* A new batch; NULL if out of memory or libcurl could not start. */
orr_fetch *orr_fetch_new(const orr_fetch_opts *opts);

/* One request.  Only url is required; NULL or 0 leaves a field to the batch. */
typedef struct orr_request {
  const char *url;
  const char *etag, *last_modified;   /* make it conditional */
  const char *note;           /* handed to opts.process, which runs only for transfers with one */
  const char *guard;          /* refuse private addresses except on the hosts of the URLs it
                                 lists (space-separated; "" for none); NULL: no guard */
  const char *user_agent;     /* instead of the batch's */
  const char *headers;        /* more request headers, "Name: value" lines ending in \n; they
                                 follow redirects, as libcurl sends them */
  const char *cookie;         /* the Cookie header (libcurl drops it when a redirect leaves
                                 the host) */
  const char *userpwd;        /* "user:password": Basic auth, sent to the URL's host only */
  const char *proxy;          /* a proxy URL (http://, socks5h://, ...) */
  const char *post;           /* POST this form-encoded body instead of a GET */
  long timeout_ms;            /* instead of the batch's */
} orr_request;

/* Queue a request.  Returns 0 if out of memory, else 1.  Must not be called after the
** first orr_fetch_next. */
int orr_fetch_add(orr_fetch *f, const orr_request *r);

/* 1 if the numeric address (IPv4 or IPv6) is one a guarded request may not reach:
** unspecified, loopback, private (RFC 1918), shared (100.64/10), link-local, unique-local,
** multicast, reserved, documentation and benchmark ranges, v4 inside v6 included.  An
** address that cannot be read counts as private. */
int orr_address_private(const char *ip);

/* Drive the transfers until one completes; return it (the caller frees it with
** orr_transfer_free), or NULL when none is left.  Never returns NULL while transfers remain
** unless out of memory, reported through *oom. */
orr_transfer *orr_fetch_next(orr_fetch *f, int *oom);

/* Transfers not yet handed over. */
size_t orr_fetch_pending(orr_fetch *f);

/* CPU seconds the batch's network thread used (libcurl: transfers, TLS, decompression),
** once orr_fetch_next has returned NULL; 0 before. */
double orr_fetch_network_cpu(orr_fetch *f);

void orr_transfer_free(orr_transfer *t);
void orr_fetch_free(orr_fetch *f);   /* NULL is fine; aborts what is still running */

#endif
