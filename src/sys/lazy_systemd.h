/*
 * lazy_systemd.h - libsystemd (the service manager's notifications), loaded on first use
 * (sys/lazy.h): include this instead of <systemd/sd-daemon.h>; lazy_systemd_load() before the first
 * call, from the daemon, under systemd only (net/http_serve.c).
 */
#ifndef LIAISON_SYS_LAZY_SYSTEMD_H
#define LIAISON_SYS_LAZY_SYSTEMD_H

#include <systemd/sd-daemon.h>

#include "lazy.h"

/* every function of libsystemd that liaison calls */
#define LAZY_SYSTEMD(X)                                                                            \
	X(sd_notify)                                                                               \
	X(sd_notifyf)

struct lazy_systemd {
	LAZY_SYSTEMD(LAZY_SLOT)
};

extern struct lazy_systemd lazy_systemd;

/* Loads libsystemd once; 0 or LERR_IO naming it and its package. */
int lazy_systemd_load(struct lerr *e);

#ifndef LAZY_TABLES
#define sd_notify  (lazy_systemd.sd_notify)
#define sd_notifyf (lazy_systemd.sd_notifyf)
#endif

#endif
