/* The on-disk cache for what is fetched over the network (remote files, git
 * clones, helm charts), so that builds keep working offline afterwards.
 * Root: $KGRENDER_CACHE, else $XDG_CACHE_HOME/kgrender, else ~/.cache/kgrender. */
#ifndef KG_CACHE_H
#define KG_CACHE_H
#include "arena.h"

/* <root>/<sub>, created when missing; NULL with err_set when it cannot be. */
const char *cache_dir(arena *a, const char *sub);
/* Hex SHA-256 of s: the cache file or directory name for a URL. */
void cache_key(const char *s, char out[65]);
/* mkdir -p; 0 or -1 with errno. */
int mkdir_p(const char *path);
/* rm -rf (best effort, no symlinks followed). */
void remove_tree(const char *path);
/* Moves the finished directory tmp into place at dst, replacing an older one;
 * readers see either the old or the new tree, never a half-written one. */
int replace_dir(const char *tmp, const char *dst);

#endif
