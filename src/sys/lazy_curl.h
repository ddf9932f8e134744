/*
 * lazy_curl.h - libcurl (the HTTP client), loaded on first use (sys/lazy.h): include
 * this instead of <curl/curl.h>; lazy_curl_load() before the first call, from
 * a request to a peer (net/peer_client.c) or to a daemon (cli/remote.c).
 */
#ifndef LIAISON_SYS_LAZY_CURL_H
#define LIAISON_SYS_LAZY_CURL_H

/* no type-checking macros: the names below must stay plain ones */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "lazy.h"

/* every function of libcurl that liaison calls */
#define LAZY_CURL(X)                                                                               \
	X(curl_easy_cleanup)                                                                       \
	X(curl_easy_getinfo)                                                                       \
	X(curl_easy_header)                                                                        \
	X(curl_easy_init)                                                                          \
	X(curl_easy_perform)                                                                       \
	X(curl_easy_reset)                                                                         \
	X(curl_easy_setopt)                                                                        \
	X(curl_easy_strerror)                                                                      \
	X(curl_global_init)                                                                        \
	X(curl_slist_append)                                                                       \
	X(curl_slist_free_all)

struct lazy_curl {
	LAZY_CURL(LAZY_SLOT)
};

extern struct lazy_curl lazy_curl;

/* Loads libcurl once; 0 or LERR_IO naming it and its package. */
int lazy_curl_load(struct lerr *e);

#ifndef LAZY_TABLES
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_cleanup   (lazy_curl.curl_easy_cleanup)
#define curl_easy_getinfo   (lazy_curl.curl_easy_getinfo)
#define curl_easy_header    (lazy_curl.curl_easy_header)
#define curl_easy_init	    (lazy_curl.curl_easy_init)
#define curl_easy_perform   (lazy_curl.curl_easy_perform)
#define curl_easy_reset	    (lazy_curl.curl_easy_reset)
#define curl_easy_setopt    (lazy_curl.curl_easy_setopt)
#define curl_easy_strerror  (lazy_curl.curl_easy_strerror)
#define curl_global_init    (lazy_curl.curl_global_init)
#define curl_slist_append   (lazy_curl.curl_slist_append)
#define curl_slist_free_all (lazy_curl.curl_slist_free_all)
#endif

#endif
