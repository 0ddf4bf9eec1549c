/* Where `kgrender mirror` copies to and from: a registry, or a bundle to
 * carry to the site: one OCI image layout holding every image under its full
 * source name (org.opencontainers.image.ref.name "docker.io/library/nginx:1.25",
 * blobs shared between images), as a directory or an oci-archive tar of it.
 * `mirror --from BUNDLE --to REGISTRY` pushes each image to its mirror name. */
#include "images.h"
#include "cache.h"
#include "err.h"
#include "kyaml.h"
#include "runcmd.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A temporary directory beside path (same file system, so the final rename works). */
static const char *temp_beside(arena *a, const char *path)
{
    char *t = arena_printf(a, "%s.kgrender-XXXXXX", path);
    return mkdtemp(t) ? t : NULL;
}

int mirror_set_dest(mirror_plan *p, const char *to, image_rules *r)
{
    if (!strncmp(to, "oci-archive:", 12)) {
        p->dest = MIRROR_OCI_ARCHIVE;
        p->archive = to + 12;
        if (!*p->archive) return err_set("--to oci-archive: needs a path");
        if (!p->dry_run && !(p->dir = temp_beside(p->a, p->archive)))
            return err_set("--to %s: cannot make a directory beside it: %s", to, strerror(errno));
        if (p->dry_run) p->dir = arena_printf(p->a, "%s.kgrender-tmp", p->archive);
        return 0;
    }
    if (!strncmp(to, "oci:", 4) || to[0] == '/' || to[0] == '.' || is_dir(to)) {
        p->dest = MIRROR_OCI_DIR;
        p->dir = strncmp(to, "oci:", 4) ? to : to + 4;
        if (!*p->dir) return err_set("--to oci: needs a directory");
        return 0;
    }
    if (!strncmp(to, "docker://", 9)) to += 9;
    p->dest = MIRROR_REGISTRY;
    if (image_registry_check("--to", to) < 0) return -1;
    if (!r->registry) r->registry = to;
    return 0;
}

int mirror_open_bundle(mirror_plan *p, const char *from)
{
    struct stat st;
    int archive = !strncmp(from, "oci-archive:", 12);
    if (archive) from += 12;
    else if (!strncmp(from, "oci:", 4)) from += 4;
    if (stat(from, &st) < 0) return err_set("--from %s: %s", from, strerror(errno));
    if (!archive && S_ISDIR(st.st_mode)) {
        p->from_dir = from;
        return 0;
    }
    char *tmp = arena_strdup(p->a, "/tmp/kgrender-bundle-XXXXXX");
    const char *tdir = getenv("TMPDIR");
    if (tdir && *tdir) tmp = arena_printf(p->a, "%s/kgrender-bundle-XXXXXX", tdir);
    if (!mkdtemp(tmp)) return err_set("--from %s: cannot make a temporary directory: %s", from, strerror(errno));
    p->from_dir = p->from_tmp = tmp;
    const char *argv[] = {"tar", "-xf", from, "-C", tmp, NULL};
    strbuf err = STRBUF_INIT, why = STRBUF_INIT;
    runcmd c = {.argv = argv, .err = &err};
    int rc = runcmd_run(&c, NULL);
    runcmd_last_line(&err, &why);
    if (rc > 0) rc = err_set("--from %s: tar: %s", from, why.len ? why.buf : "failed");
    sb_release(&err), sb_release(&why);
    return rc < 0 ? -1 : 0;
}

int mirror_plan_bundle(mirror_plan *p, const image_rules *r)
{
    arena *a = p->a;
    const char *index = arena_printf(a, "%s/index.json", p->from_dir);
    strbuf sb = STRBUF_INIT;
    node *doc = NULL;
    if (sb_read_file(&sb, index) < 0) return err_set("%s: %s (not an OCI image layout)", index, strerror(errno));
    int rc = yaml_load_one(a, index, sb.buf, sb.len, &doc);
    sb_release(&sb);
    if (rc < 0) return -1;
    node *m = map_get(doc, "manifests");
    for (uint32_t i = 0; m && m->kind == N_SEQ && i < m->u.seq.n; i++) {
        const char *ref = node_get_str(m->u.seq.items[i], "annotations", "org.opencontainers.image.ref.name", NULL);
        imageref src, dst;
        if (!ref) continue;
        if (imageref_normalize(a, ref, &src) < 0) return err_prefix("%s", index);
        if (image_mirror(a, r, &src, &dst) < 0) return -1;
        mirror_plan_add(p, &src, &dst);
    }
    if (!p->n) return err_set("%s: no images in the bundle", index);
    return 0;
}

int mirror_finish_archive(mirror_plan *p)
{
    const char *tmp = arena_printf(p->a, "%s.kgrender-tar", p->archive);
    const char *argv[] = {"tar", "-cf", tmp, "-C", p->dir, ".", NULL};
    strbuf err = STRBUF_INIT, why = STRBUF_INIT;
    runcmd c = {.argv = argv, .err = &err};
    int rc = runcmd_run(&c, NULL);
    runcmd_last_line(&err, &why);
    if (rc > 0) rc = err_set("writing %s: tar: %s", p->archive, why.len ? why.buf : "failed");
    if (rc == 0 && rename(tmp, p->archive) < 0) rc = err_set("writing %s: %s", p->archive, strerror(errno));
    if (rc != 0) unlink(tmp);
    sb_release(&err), sb_release(&why);
    return rc < 0 ? -1 : 0;
}

void mirror_plan_free(mirror_plan *p)
{
    if (p->from_tmp) remove_tree(p->from_tmp);
    if (p->dest == MIRROR_OCI_ARCHIVE && p->dir && !p->dry_run) remove_tree(p->dir);
    arena_free(p->a);
}
