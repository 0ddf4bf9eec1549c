#include "cache.h"
#include "err.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *cache_root(arena *a)
{
    const char *v = getenv("KGRENDER_CACHE");
    if (v && *v) return v;
    v = getenv("XDG_CACHE_HOME");
    if (v && *v) return arena_printf(a, "%s/kgrender", v);
    v = getenv("HOME");
    if (v && *v) return arena_printf(a, "%s/.cache/kgrender", v);
    return NULL;
}

const char *cache_dir(arena *a, const char *sub)
{
    const char *root = cache_root(a);
    if (!root) return err_set("no cache directory: set KGRENDER_CACHE, XDG_CACHE_HOME or HOME"), NULL;
    const char *d = arena_printf(a, "%s/%s", root, sub);
    if (mkdir_p(d) < 0) return err_set("cache directory %s: %s", d, strerror(errno)), NULL;
    return d;
}

void cache_key(const char *s, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < n && i < 32; i++) sprintf(out + 2 * i, "%02x", md[i]);
    out[64] = 0;
}

int mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) return errno = ENAMETOOLONG, -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) < 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(buf, &st) < 0) return -1;
    return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    remove(p);
    return 0;
}

void remove_tree(const char *path)
{
    nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int replace_dir(const char *tmp, const char *dst)
{
    if (rename(tmp, dst) == 0) return 0;
    if (errno != EEXIST && errno != ENOTEMPTY) return -1;
    /* An older copy is there: swap atomically, then remove the old tree. */
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_EXCHANGE) < 0) {
        remove_tree(dst);
        return rename(tmp, dst);
    }
    remove_tree(tmp);
    return 0;
}
