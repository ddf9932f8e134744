/* assets.h - the web console's files, built into the binary (scripts/embed.sh). */
#ifndef LIAISON_NET_ASSETS_H
#define LIAISON_NET_ASSETS_H

#include <stddef.h>

struct asset {
	const char *name; /* "app.js": served at /console/app.js (index.html at /) */
	const unsigned char *data;
	size_t len;
};

extern const struct asset console_assets[]; /* ends with one whose name is NULL */
extern const size_t console_nassets;

#endif
