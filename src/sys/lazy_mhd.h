/*
 * lazy_mhd.h - libmicrohttpd (the HTTP server), loaded on first use (sys/lazy.h): include
 * this instead of <microhttpd.h>; lazy_mhd_load() before the first call, from
 * the daemon's start (net/http_serve.c).
 */
#ifndef LIAISON_SYS_LAZY_MHD_H
#define LIAISON_SYS_LAZY_MHD_H

#include <microhttpd.h>

#include "lazy.h"

/* every function of libmicrohttpd that liaison calls */
#define LAZY_MHD(X)                                                                                \
	X(MHD_add_response_header)                                                                 \
	X(MHD_create_response_from_buffer)                                                         \
	X(MHD_create_response_from_callback)                                                       \
	X(MHD_create_response_from_fd)                                                             \
	X(MHD_destroy_response)                                                                    \
	X(MHD_get_connection_info)                                                                 \
	X(MHD_get_connection_values)                                                               \
	X(MHD_get_daemon_info)                                                                     \
	X(MHD_http_unescape)                                                                       \
	X(MHD_is_feature_supported)                                                                \
	X(MHD_lookup_connection_value)                                                             \
	X(MHD_queue_response)                                                                      \
	X(MHD_quiesce_daemon)                                                                      \
	X(MHD_resume_connection)                                                                   \
	X(MHD_start_daemon)                                                                        \
	X(MHD_stop_daemon)                                                                         \
	X(MHD_suspend_connection)

struct lazy_mhd {
	LAZY_MHD(LAZY_SLOT)
};

extern struct lazy_mhd lazy_mhd;

/* Loads libmicrohttpd once; 0 or LERR_IO naming it and its package. */
int lazy_mhd_load(struct lerr *e);

#ifndef LAZY_TABLES
#define MHD_add_response_header		  (lazy_mhd.MHD_add_response_header)
#define MHD_create_response_from_buffer	  (lazy_mhd.MHD_create_response_from_buffer)
#define MHD_create_response_from_callback (lazy_mhd.MHD_create_response_from_callback)
#define MHD_create_response_from_fd	  (lazy_mhd.MHD_create_response_from_fd)
#define MHD_destroy_response		  (lazy_mhd.MHD_destroy_response)
#define MHD_get_connection_info		  (lazy_mhd.MHD_get_connection_info)
#define MHD_get_connection_values	  (lazy_mhd.MHD_get_connection_values)
#define MHD_get_daemon_info		  (lazy_mhd.MHD_get_daemon_info)
#define MHD_http_unescape		  (lazy_mhd.MHD_http_unescape)
#define MHD_is_feature_supported	  (lazy_mhd.MHD_is_feature_supported)
#define MHD_lookup_connection_value	  (lazy_mhd.MHD_lookup_connection_value)
#define MHD_queue_response		  (lazy_mhd.MHD_queue_response)
#define MHD_quiesce_daemon		  (lazy_mhd.MHD_quiesce_daemon)
#define MHD_start_daemon		  (lazy_mhd.MHD_start_daemon)
#define MHD_stop_daemon			  (lazy_mhd.MHD_stop_daemon)
#define MHD_suspend_connection		  (lazy_mhd.MHD_suspend_connection)
#define MHD_resume_connection		  (lazy_mhd.MHD_resume_connection)
#endif

#endif
