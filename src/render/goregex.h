/* Which regular expressions Go's regexp package refuses. kustomize compiles
 * some user text as Go regexps (an `images` entry's name) and fails on what
 * Go refuses, while kgrender matches with POSIX regcomp, which accepts more:
 * nested repetitions (a++, a{2}{3}) and large repeat counts even blow up
 * glibc's regcomp (gigabytes for "1++++..."). Checking first keeps both the
 * failure and the memory kustomize's. */
#ifndef KG_GOREGEX_H
#define KG_GOREGEX_H

/* NULL when Go's regexp.Compile accepts re (RE2 syntax), else why not,
 * in Go's words ("invalid nested repetition operator: `++`"), in a static
 * buffer. Covers what POSIX regcomp would accept or choke on: groups and
 * flags, classes, escapes, repetitions and their counts (at most 1000, also
 * when nested). */
const char *goregex_error(const char *re);

#endif
