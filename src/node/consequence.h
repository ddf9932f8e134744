/*
 * consequence.h - what an agreement event does to the lifecycle, in one
 * sentence: what a registrar reads before confirming an event ("this notice
 * would end the agreement at the start of 2020-11-23") and after recording
 * it. Pure: no I/O, no clock.
 */
#ifndef LIAISON_NODE_CONSEQUENCE_H
#define LIAISON_NODE_CONSEQUENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/agreement.h"

#define CONSEQUENCE_MAX 512 /* a sentence's bytes, with its NUL */

/*
 * The consequence of event i of a (a's events in applying order, the event
 * among them): the state it makes on its day against the state without it.
 * `would`: said of an event not recorded (a dry run: "would end"), else of
 * one recorded ("ends"). Writes the sentence into out (n > 0 bytes, always
 * terminated; cut short when n is too small) and returns out.
 */
char *event_consequence(const struct agreement *a, size_t i, bool would, char *out, size_t n)
    __attribute__((nonnull));

#endif
