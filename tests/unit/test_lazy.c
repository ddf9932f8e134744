/* test_lazy.c - libraries loaded on first use (sys/lazy.h): each of the
 * four loads by its soname and answers through its table; a library that
 * is missing, or lacks a function, fails with its name and package, and
 * goes on failing; threads racing to load one library all get it. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sys/lazy_curl.h"
#include "sys/lazy_mhd.h"
#include "sys/lazy_pq.h"
#include "sys/lazy_systemd.h"

Test(lazy, each_library_loads_and_answers_through_its_table)
{
	struct lerr e = {0};
	cr_assert_eq(lazy_curl_load(&e), 0, "%s", e.msg);
	cr_assert_str_eq(curl_easy_strerror(CURLE_OK), "No error");
	cr_assert_eq(lazy_mhd_load(&e), 0, "%s", e.msg);
	char s[] = "a%20b";
	cr_assert_eq(MHD_http_unescape(s), 3);
	cr_assert_str_eq(s, "a b");
	cr_assert_eq(lazy_pq_load(&e), 0, "%s", e.msg);
	cr_assert_eq(PQresultStatus(NULL), PGRES_FATAL_ERROR);
	cr_assert_eq(lazy_systemd_load(&e), 0, "%s", e.msg);
	unsetenv("NOTIFY_SOCKET"); /* a test run under a service manager tells it nothing */
	cr_assert_eq(sd_notify(0, "READY=1"), 0, "no NOTIFY_SOCKET: nothing sent, no error");
	/* loaded once: the second load is the same table */
	void *f = (void *)curl_easy_init; /* the name is the table's slot */
	cr_assert_not_null(f);
	cr_assert_eq(lazy_curl_load(&e), 0);
	cr_assert_eq((void *)curl_easy_init, f);
}

struct one {
	int (*puts)(const char *);
	size_t (*strlen)(const char *);
};
static const struct lazy_fn one_fn[] = {{"puts", offsetof(struct one, puts)},
					{"strlen", offsetof(struct one, strlen)}};

Test(lazy, a_missing_library_fails_with_its_name_and_package_every_time)
{
	struct one t = {0};
	struct lazy_lib l = {.soname = "libliaison-absent.so.9",
			     .package = "liaison-absent",
			     .table = &t,
			     .fn = one_fn,
			     .n = 2};
	for (int i = 0; i < 2; i++) {
		struct lerr e = {0};
		cr_assert_eq(lazy_load(&l, &e), LERR_IO);
		cr_assert(strstr(e.msg, "libliaison-absent.so.9 cannot be loaded (Debian package "
					"liaison-absent): ") == e.msg,
			  "%s", e.msg);
		cr_assert(strstr(e.msg, "No such file") || strstr(e.msg, "cannot open"), "%s",
			  e.msg);
	}
	cr_assert_null(t.puts);
}

Test(lazy, a_library_without_a_function_fails_naming_it)
{
	struct one t = {0};
	static const struct lazy_fn fn[] = {
	    {"strlen", offsetof(struct one, strlen)},
	    {"liaison_no_such_function", offsetof(struct one, puts)}};
	struct lazy_lib l = {
	    .soname = "libc.so.6", .package = "libc6", .table = &t, .fn = fn, .n = 2};
	struct lerr e = {0};
	cr_assert_eq(lazy_load(&l, &e), LERR_IO);
	cr_assert_str_eq(e.msg, "libc.so.6 cannot be loaded (Debian package libc6): it has no "
				"function liaison_no_such_function");
}

static struct one raced;
static struct lazy_lib race_lib = {
    .soname = "libc.so.6", .package = "libc6", .table = &raced, .fn = one_fn, .n = 2};

static void *load_it(void *out)
{
	struct lerr e = {0};
	*(int *)out = lazy_load(&race_lib, &e) == 0 && raced.strlen("four") == 4;
	return NULL;
}

Test(lazy, threads_racing_to_load_a_library_all_get_it)
{
	pthread_t th[8];
	int ok[8] = {0};
	for (int i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, load_it, &ok[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		cr_assert(ok[i], "thread %d", i);
	}
	cr_assert_eq(atomic_load(&race_lib.state), 1);
}
