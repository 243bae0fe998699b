/* capture_cases.h - the submatch test table (matched(), ngroups()), shared by gen.c and
 * harness.c.
 *
 * { pattern, subject, groups, glibc }: groups is "(start,end)" for the whole match and
 * then for each group, "(-1,-1)" for a group that took no part, or "" when the subject
 * does not match. glibc is SAME when regexec()'s pmatch[] must agree on every group, or
 * DIFF where POSIX's rule for subexpressions (each as long as possible, left to right)
 * differs from ours (the preferred path; see runtime/regex.h). The whole match (the first
 * pair) must always agree with glibc.
 */
struct cap_case {
	const char *pattern;
	const char *subject;
	const char *groups;
	int glibc;
};

static const struct cap_case cap_cases[] = {
	{ "abc", "xxabcxx", "(2,5)", SAME },
	{ "([a-z]+)=([0-9]+)", "key=value; other=42", "(11,19)(11,16)(17,19)", SAME },
	{ "(a)|(b)", "xb", "(1,2)(-1,-1)(1,2)", SAME },
	{ "(a)|(b)", "xyz", "", SAME },
	{ "(a*)(b*)", "aabbb", "(0,5)(0,2)(2,5)", SAME },
	{ "(a*)", "bbb", "(0,0)(0,0)", SAME },
	{ "x(a*)", "bxb", "(1,2)(2,2)", SAME },
	{ "(a|b)*c", "abac", "(0,4)(2,3)", SAME },
	{ "((a)|b)+", "ab", "(0,2)(1,2)(0,1)", SAME },
	{ "^(ab|a)(bc|c)?$", "abc", "(0,3)(0,2)(2,3)", SAME },
	{ "(a|ab)(c|bcd)(d*)", "abcd", "(0,4)(0,1)(1,4)(4,4)", DIFF },
	{ "(.*)-(.*)", "a-b-c", "(0,5)(0,3)(4,5)", SAME },
	{ "([0-9]+)$", "pid 1234", "(4,8)(4,8)", SAME },
	{ "^(/[^/]*)+$", "/usr/bin/ls", "(0,11)(8,11)", SAME },
	{ "a(b(c))(d)?", "abce", "(0,3)(1,3)(2,3)(-1,-1)", SAME },
	{ "()", "x", "(0,0)(0,0)", SAME },
	{ "(^a|b)c", "bc", "(0,2)(0,1)", SAME },
	{ "b+", "abbbcbb", "(1,4)", SAME },
	{ "(a+|b+)*", "aabba", "(0,5)(4,5)", SAME },
	{ "([[:alpha:]]+) ([[:digit:]]{2,3})", "x abc 1234", "(2,9)(2,5)(6,9)", SAME },
};

#define NCAPCASES ((int)(sizeof(cap_cases) / sizeof(cap_cases[0])))
