/* fuzz_date.c - date_parse on any bytes: no crash, and what it accepts
 * prints back as the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[32];
	if (size >= sizeof s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	date_t d;
	struct lerr e;
	if (date_parse(s, &d, &e) == 0) {
		char back[DATE_BUF_SIZE];
		if (strcmp(date_format(d, back), s) != 0)
			abort();
	} else if (e.msg[0] == '\0')
		abort(); /* every refusal says why */
	return 0;
}
