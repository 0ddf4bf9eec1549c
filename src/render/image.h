/* Container image references as kustomize's images field reads them:
 * splitting NAME[:TAG][@DIGEST] (kustomize's image.Split) and matching an
 * `images` entry's name against a reference (kustomize's image.IsImageMatched,
 * NAME used as a regular expression). Used by t_images.c; standalone so that
 * test/fuzz/fuzz_kustomize_image.c can check it. */
#ifndef KG_IMAGE_H
#define KG_IMAGE_H
#include <regex.h>
#include "arena.h"

/* Splits img into name, tag and digest ("" when absent), looking for ':' and
 * '@' only after the first '/' so that a registry port is part of the name.
 * The parts are img itself or copies in a. */
void image_split(arena *a, const char *img, const char **name, const char **tag, const char **digest);

/* Matches references against ^NAME(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$ */
typedef struct image_matcher {
    const char *name;
    const char *err; /* why Go refuses the regex: kustomize fails on the first image it tries */
    regex_t re;
    int re_ok;       /* a name Go accepts but regcomp does not matches nothing */
} image_matcher;

void image_matcher_init(image_matcher *m, arena *a, const char *name);
/* 1 or 0; -1 when the name is no Go regex (m->err says why). */
int image_matcher_match(const image_matcher *m, const char *img);
void image_matcher_free(image_matcher *m);

/* The matcher's fast path: 1 or 0 when NAME holds no regex syntax but '.',
 * -1 when only the regex can tell. */
int image_quick_match(const char *name, const char *img);

#endif
