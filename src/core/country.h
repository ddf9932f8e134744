/*
 * country.h - ISO 3166-1 alpha-3 country codes (from Debian's iso-codes,
 * generated into country_table.inc by scripts/gen-countries.py).
 *
 * Export control speaks of countries; a code that is not one is an error,
 * never a silent default.
 */
#ifndef LIAISON_CORE_COUNTRY_H
#define LIAISON_CORE_COUNTRY_H

#include "err.h"

#define COUNTRY_CODE_MAX 4 /* three capital letters and NUL */

/* The country's common name ("Korea, Republic of"), or NULL when code is not an alpha-3 code. */
const char *country_name(const char *code) __attribute__((nonnull));

/* Returns 0, or LERR_INVAL saying that code is not an ISO 3166-1 alpha-3 code. */
int country_check(const char *code, struct lerr *e) __attribute__((nonnull(1)));

#endif
