/* Remote resources: an http(s) file is fetched with libcurl (http.c), a git
 * URL is cloned with git; both into the cache (cache.c), whose copy is used
 * (with a warning) when the network or the server fails. */
#ifndef KG_REMOTE_H
#define KG_REMOTE_H
#include "build.h"

int remote_is_url(const char *s);
/* Set: no network; only cached files and clones are used, and a miss is an error (kgrender --offline). */
extern int remote_offline;
/* Fetches url: a file's body into body, or a cloned kustomization directory into *local_dir. */
int remote_fetch(kust *k, const char *url, const node *where, strbuf *body, const char **local_dir);
/* The (canonical) clone directory holding local_dir, a root remote_fetch
 * returned: kustomizations in a clone must not reach outside it. */
const char *remote_repo_root(arena *a, const char *local_dir);

#endif
