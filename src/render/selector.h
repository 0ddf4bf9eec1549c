/* Selecting objects the way kustomize's selectors do: by id fields
 * (group, version, kind, name, namespace) and by Kubernetes label and
 * annotation selector expressions ("app=web,tier in (a,b),!legacy").
 * Replacements compare id fields exactly; patches' targets treat them as
 * anchored regular expressions (SEL_REGEX). One matcher for both. */
#ifndef KG_SELECTOR_H
#define KG_SELECTOR_H
#include <regex.h>
#include "build.h"

enum sel_mode { SEL_EXACT, SEL_REGEX };

struct label_req; /* one parsed requirement of a label selector */

typedef struct labelsel {
    struct label_req *reqs;
    uint32_t n;
    const char *err; /* the expression does not parse: kustomize's message, with its position */
} labelsel;

typedef struct selector {
    resid id;                   /* "" fields match anything */
    const char *label_text, *anno_text;
    labelsel labels, annos;
    int mode;
    regex_t *re[5];             /* SEL_REGEX: group, version, kind, name, namespace (NULL: any) */
    const node *src;
} selector;

/* Parses {group, version, kind, name, namespace, labelSelector,
 * annotationSelector} from a map node. */
int selector_parse(arena *a, const node *m, int mode, selector *out);
/* Releases SEL_REGEX's compiled patterns (regcomp's memory is not the arena's). */
void selector_free(selector *s);
/* True when no id field is set (label/annotation selectors aside). */
int selector_id_empty(const selector *s);
/* Id fields only: exact per kustomize's ResId.IsSelectedBy, or regex. */
int selector_match_id(const selector *s, const resid *id);
/* Label, then annotation selector against an object's metadata, as
 * kustomize's ResMap.Select: 1 or 0; -1 when the one it tries does not
 * parse (the annotation selector is not tried when labels do not match). */
int selector_match_meta(const selector *s, const node *obj);
/* -1 (error set) when the annotation or label selector does not parse:
 * replacements parse both for every object, matching or not. */
int selector_meta_error(const selector *s);

/* Parses a label selector expression as labels.Parse (labelsel.c); ""
 * selects everything. On error returns -1 with the message set and kept
 * in out->err, for labelsel_match to report. */
int labelsel_parse(arena *a, const char *text, const node *where, labelsel *out);
/* 1 or 0; -1 (error set) when the expression did not parse. */
int labelsel_match(const labelsel *ls, const node *labels);

/* kustomize's ResId text "Kind.version.group/name.namespace" with its
 * [noVer]/[noGrp]/[noNs] markers, for messages matching kustomize's. */
const char *kid_string(arena *a, const resid *id);
/* kustomize's Gvk text "Kind.version.group". */
const char *kgvk_string(arena *a, const char *group, const char *version, const char *kind);

#endif
