/* kustomize keeps its bookkeeping in every object's annotations while it
 * builds: the origin (when buildMetadata is set), previous ids, name
 * prefixes and suffixes, generator options. kgrender keeps it in the
 * resource and writes it into the annotations only around the steps that
 * can see or change them: patches, which kustomize applies to the whole
 * object, annotations included. */
#ifndef KG_BUILDMETA_H
#define KG_BUILDMETA_H
#include "build.h"

#define BK_MAX 7

typedef struct bookkeeping {
    const char *keys[BK_MAX], *vals[BK_MAX]; /* the internal annotations written */
    int n;
    int made; /* the annotations field was created for them */
} bookkeeping;

/* Writes r's bookkeeping into its annotations. The origin stays there for
 * good (kustomize's transformers see it missing when a patch removed it);
 * the internal ones are taken out again by buildmeta_leave. */
void buildmeta_enter(kust *k, resource *r, bookkeeping *bk);

enum {
    BK_READBACK = 1,   /* take changed values back into r (a strategic merge can remove or replace them) */
    BK_DROP_EMPTY = 2, /* drop an annotations field left empty (JSON patches rebuild it from a map) */
};
/* Takes the internal annotations out again; without BK_READBACK r keeps
 * its values (kustomize puts them back after a JSON patch). */
void buildmeta_leave(kust *k, resource *r, bookkeeping *bk, int flags);

#endif
