/* Parsing a level's resource files on several threads before the level is
 * accumulated in order: YAML parsing is most of a build's time, and files
 * are independent. Only the parse runs in parallel; everything that depends
 * on order (identities, duplicates, bases) stays sequential. */
#ifndef KG_PREPARSE_H
#define KG_PREPARSE_H
#include "build.h"

typedef struct preparsed {
    const char *file;  /* the path positions and origins name */
    node_list docs;
    int nvalues;       /* quirk_kio_values */
    int ok;            /* 0: not a plain local file, or it failed: the caller goes the usual way */
} preparsed;

/* For each entry of a resources list that names a local file, reads and
 * parses it (in parallel when worthwhile). out has n slots. */
void preparse_files(kust *k, node **entries, size_t n, preparsed *out);
void preparsed_free(preparsed *p, size_t n);

#endif
