/* test_timeline_svg.c - the timeline's picture (node/timeline_svg.h) and an
 * event's consequence in words (node/consequence.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "node/consequence.h"
#include "node/timeline_svg.h"

TestSuite(timeline_svg, .fini = leak_check);
TestSuite(consequence, .fini = leak_check);

/* The picture of a from..to without event index `without`; free() it. */
static char *picture(const struct agreement *a, const char *from, const char *to, size_t without)
{
	struct agr_state *v;
	size_t nv;
	struct lerr e = {0};
	cr_assert_eq(agreement_timeline(a, D(from), D(to), without, &v, &nv, &e), 0, "%s", e.msg);
	const struct timeline_svg_in in = {a, v, nv, D(from), D(to), without};
	char *svg;
	size_t len;
	cr_assert_eq(timeline_svg(&in, &svg, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(strlen(svg), len);
	free(v);
	return svg;
}

#define assert_has(svg, s)   cr_assert(strstr((svg), (s)), "expected %s in the picture", (s))
#define assert_lacks(svg, s) cr_assert(!strstr((svg), (s)), "did not expect %s in the picture", (s))

Test(timeline_svg,
     the_2019_notice_and_its_would_be_end_are_drawn_and_the_same_input_gives_the_same_bytes)
{
	struct agreement *a = gsomia();
	char *svg = picture(a, "2016-11-23", "2024-01-01", AGR_NONE);
	assert_has(svg, "role=\"img\"");
	assert_has(svg, "viewBox=\"0 0 960 ");
	assert_has(svg, "2019-08-23 notice by KOR");
	assert_has(svg, "2019-11-22 notice-suspended by KOR");
	assert_has(svg, "2019-11-23 would end (notice by KOR)");
	assert_has(svg, "on 2024-01-01: in force");
	assert_has(svg, "term 3 ends 2019-11-23");
	assert_lacks(svg, "terminated since");
	assert_lacks(svg, "<script");
	assert_lacks(svg, "style=");
	assert_lacks(svg, "href");
	char *again = picture(a, "2016-11-23", "2024-01-01", AGR_NONE);
	cr_assert_str_eq(svg, again);
	free(again);
	free(svg);
	free(a);
}

Test(timeline_svg, without_the_suspension_the_termination_is_drawn_and_said)
{
	struct agreement *a = gsomia();
	char *svg = picture(a, "2016-11-23", "2024-01-01", 3);
	assert_has(svg, "without event 4 (2019-11-22 notice-suspended by KOR)");
	assert_has(svg, "2019-11-22 notice-suspended by KOR (left out)");
	assert_has(svg, "2019-11-23 ended (notice by KOR)");
	assert_has(svg, "on 2024-01-01: terminated since 2019-11-23");
	/* no term ends after the end */
	assert_lacks(svg, "term 4 ends");
	free(svg);
	free(a);
}

Test(timeline_svg, every_text_from_outside_is_escaped)
{
	struct agreement *a = gsomia();
	strcpy(a->title, "<script>alert(1)</script> & \"q\" 'a' \x01 \xff 極秘");
	char *svg = picture(a, "2016-11-23", "2020-01-01", AGR_NONE);
	assert_lacks(svg, "<script");
	assert_has(svg, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;");
	assert_has(svg, "極秘");
	assert_lacks(svg, "\x01");
	assert_lacks(svg, "\xff");
	free(svg);
	free(a);
}

Test(timeline_svg, refuses_an_empty_timeline)
{
	struct agreement *a = gsomia();
	const struct timeline_svg_in in = {a, NULL, 0, D("2019-01-01"), D("2019-12-31"), AGR_NONE};
	char *svg = (char *)1;
	size_t len = 1;
	struct lerr e = {0};
	cr_assert_eq(timeline_svg(&in, &svg, &len, &e), LERR_INVAL);
	cr_assert_null(svg);
	cr_assert_eq(len, 0);
	free(a);
}

Test(consequence, a_notice_says_the_day_it_would_end_the_agreement)
{
	struct agreement *a = agr_new(1, 1, 90);
	char out[CONSEQUENCE_MAX];
	ev(a, "2016-11-23", AGR_EV_SIGNED, "");
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-23", AGR_EV_NOTICE, "KOR");
	event_consequence(a, 2, true, out, sizeof out);
	cr_assert(strstr(out, "this notice would end the agreement at the start of 2019-11-23"),
		  "%s", out);
	cr_assert(!strstr(out, "too late"), "%s", out);
	event_consequence(a, 2, false, out, sizeof out);
	cr_assert(strstr(out, "this notice ends the agreement at the start of 2019-11-23"), "%s",
		  out);
	free(a);
}

Test(consequence, a_late_notice_ends_the_next_term_and_says_so)
{
	struct agreement *a = agr_new(1, 1, 90);
	char out[CONSEQUENCE_MAX];
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-25", AGR_EV_NOTICE, "KOR");
	event_consequence(a, 1, true, out, sizeof out);
	cr_assert(strstr(out, "would end the agreement at the start of 2020-11-23"), "%s", out);
	cr_assert(strstr(out, "given after 2019-08-24, too late"), "%s", out);
	free(a);
}

Test(consequence, a_suspension_and_a_withdrawal_keep_it_in_force)
{
	struct agreement *a = gsomia();
	char out[CONSEQUENCE_MAX];
	event_consequence(a, 3, true, out, sizeof out);
	cr_assert(strstr(out, "this suspension would stop the notice by KOR given 2019-08-23 from "
			      "ending the agreement at the start of 2019-11-23"),
		  "%s", out);
	event_consequence(a, 4, false, out, sizeof out);
	cr_assert(strstr(out, "this withdrawal ends the notice by KOR given 2019-08-23"), "%s",
		  out);
	free(a);
}
