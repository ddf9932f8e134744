/* internal.h - what node/'s files share and nothing outside node/ sees. */
#ifndef LIAISON_NODE_INTERNAL_H
#define LIAISON_NODE_INTERNAL_H

#include <stdint.h>

#include "node.h"

/*
 * seq of an event not stored yet, while it is checked beside the stored
 * ones (whose seq is their record id, always lower). A file's event j gets
 * NODE_NEW_SEQ + j, so that the file's order holds among them.
 */
#define NODE_NEW_SEQ (INT64_MAX / 2)

/* The number (from 1) a->events[i] has among the events already stored. */
size_t node_stored_number(const struct agreement *a, size_t i);

#endif
