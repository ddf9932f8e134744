/* lazy.c - loading libraries on first use (see lazy.h). */
#define LAZY_TABLES /* the tables themselves: the names stay the libraries' */
#include "lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lazy_curl.h"
#include "lazy_mhd.h"
#include "lazy_pq.h"
#include "lazy_systemd.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void open_lib(struct lazy_lib *l)
{
	/* RTLD_NOW: a missing function fails here, not at its first call */
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *d = dlerror();
		snprintf(l->why, sizeof l->why, "%s", d ? d : "not found");
		atomic_store_explicit(&l->state, -1, memory_order_release);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		void *f = dlsym(h, l->fn[i].name);
		if (!f) {
			snprintf(l->why, sizeof l->why, "it has no function %s", l->fn[i].name);
			atomic_store_explicit(&l->state, -1, memory_order_release);
			return; /* the handle stays open: libraries are never unloaded */
		}
		/* POSIX: an object pointer from dlsym has a function pointer's bits */
		memcpy((char *)l->table + l->fn[i].at, &f, sizeof f);
	}
	atomic_store_explicit(&l->state, 1, memory_order_release);
}

int lazy_load(struct lazy_lib *l, struct lerr *e)
{
	int s = atomic_load_explicit(&l->state, memory_order_acquire);
	if (s == 0) {
		pthread_mutex_lock(&lock);
		if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0)
			open_lib(l);
		pthread_mutex_unlock(&lock);
		s = atomic_load_explicit(&l->state, memory_order_acquire);
	}
	if (s == 1)
		return 0;
	return lerr_set(e, LERR_IO, "%s cannot be loaded (Debian package %s): %s", l->soname,
			l->package, l->why);
}

/* each library's table, its functions, and its loader */
#define LAZY_DEFINE(name, so, pkg, LIST)                                                           \
	struct lazy_##name lazy_##name;                                                            \
	static const struct lazy_fn name##_fn[] = {LIST(name##_FN)};                               \
	static struct lazy_lib name##_lib = {.soname = so,                                         \
					     .package = pkg,                                       \
					     .table = &lazy_##name,                                \
					     .fn = name##_fn,                                      \
					     .n = sizeof name##_fn / sizeof name##_fn[0]};         \
	int lazy_##name##_load(struct lerr *e)                                                     \
	{                                                                                          \
		return lazy_load(&name##_lib, e);                                                  \
	}

#define pq_FN(f)      LAZY_FN(struct lazy_pq, f)
#define curl_FN(f)    LAZY_FN(struct lazy_curl, f)
#define mhd_FN(f)     LAZY_FN(struct lazy_mhd, f)
#define systemd_FN(f) LAZY_FN(struct lazy_systemd, f)

LAZY_DEFINE(pq, "libpq.so.5", "libpq5", LAZY_PQ)
LAZY_DEFINE(curl, "libcurl.so.4", "libcurl4", LAZY_CURL)
LAZY_DEFINE(mhd, "libmicrohttpd.so.12", "libmicrohttpd12", LAZY_MHD)
LAZY_DEFINE(systemd, "libsystemd.so.0", "libsystemd0", LAZY_SYSTEMD)
