/* Remote resources: https files fetched with libcurl into a cache, git
 * URLs cloned with git. */
#ifndef KG_REMOTE_H
#define KG_REMOTE_H
#include "build.h"

int remote_is_url(const char *s);
/* Fetches url: a file's body into body, or a cloned kustomization directory into *local_dir. */
int remote_fetch(kust *k, const char *url, const node *where, strbuf *body, const char **local_dir);

#endif
