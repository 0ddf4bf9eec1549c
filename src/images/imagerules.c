/* Registry rewrite rules: where every image goes in an air-gapped site.
 * From flags (every command that builds shares image_rules_flag) or from the
 * top kustomization's metadata.annotations, which kustomize ignores (it
 * rejects unknown top-level fields), so overlays need no flags:
 *
 *   metadata:
 *     annotations:
 *       kgrender.io/registry: mirror.local:5000          # --registry
 *       kgrender.io/image-repository: kubegems          # --image-repository
 *       kgrender.io/registry-map: quay.io=mirror.local/quay,ghcr.io=mirror.local/ghcr
 *       kgrender.io/any-image-field: "true"              # --any-image-field
 */
#include "images.h"
#include "err.h"
#include <stdio.h>
#include <string.h>

const char image_rules_help[] =
    "      --registry HOST[:PORT][/PREFIX]  Rewrite every image to this registry, keeping path, tag and digest\n"
    "                                    (docker.io/library/nginx:1.25 -> HOST/library/nginx:1.25).\n"
    "      --image-repository ORG        Replace the first path segment of every image with ORG.\n"
    "      --registry-map FROM=TO        Images under FROM (a registry, or registry/path) go to TO instead;\n"
    "                                    repeatable, the longest FROM wins.\n"
    "      --any-image-field             Also treat any string field named 'image' as an image.\n";

static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name) && *i + 1 < argc) return argv[++*i];
    return NULL;
}

/* HOST[:PORT][/PREFIX] must name a registry: docker would read "mirror/x" as
 * the Docker Hub repository mirror/x. */
int image_registry_check(const char *what, const char *v)
{
    arena *a = arena_new();
    imageref r;
    int ok = imageref_parse(a, arena_printf(a, "%s/x", v), &r) == 0;
    const char *slash = strchr(v, '/');
    size_t hostlen = slash ? (size_t)(slash - v) : strlen(v);
    int host = ok && strlen(r.domain) == hostlen &&
               (memchr(v, '.', hostlen) || memchr(v, ':', hostlen) || (hostlen == 9 && !strncmp(v, "localhost", 9)));
    arena_free(a);
    if (host) return 0;
    return err_set("%s '%s': not HOST[:PORT][/PREFIX] (the host needs a '.' or a ':port', or is localhost)", what, v);
}

static int check_org(const char *v)
{
    for (const char *p = v; *p; p++)
        if (*p == '/') return err_set("--image-repository '%s': one path segment expected", v);
    arena *a = arena_new();
    imageref r;
    int bad = imageref_parse(a, v, &r) < 0 || strcmp(r.path, v);
    arena_free(a);
    return bad ? err_set("--image-repository '%s': not a valid path segment", v) : 0;
}

/* spec is FROM=TO in writable memory (argv, or an arena copy): the '=' becomes the end of FROM. */
int image_rules_add_map(image_rules *r, const char *flag, char *spec)
{
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) return err_set("%s '%s': FROM=TO expected", flag, spec);
    if (r->nmaps == IMAGE_MAX_MAPS) return err_set("%s: at most %d mappings", flag, IMAGE_MAX_MAPS);
    if (image_registry_check(!strcmp(flag, "--registry-map") ? "--registry-map target" : "--source-map target", eq + 1) < 0) return -1;
    *eq = 0;
    r->maps[r->nmaps++] = (image_map){spec, eq + 1};
    return 0;
}

int image_rules_flag(int argc, char **argv, int *i, image_rules *r)
{
    const char *v;
    int rc = 0;
    if ((v = flag_value(argc, argv, i, "--registry"))) {
        rc = image_registry_check("--registry", v);
        r->registry = v;
    } else if ((v = flag_value(argc, argv, i, "--image-repository"))) {
        rc = check_org(v);
        r->repository = v;
    } else if ((v = flag_value(argc, argv, i, "--registry-map"))) {
        rc = image_rules_add_map(r, "--registry-map", (char *)v); /* v points into argv, which is writable */
    } else if (!strcmp(argv[*i], "--any-image-field")) {
        r->any_field = 1;
    } else {
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", err_msg());
        return -1;
    }
    return 1;
}

static const char *annotation(const node *k, const char *key)
{
    return node_get_str(k, "metadata", "annotations", key, NULL);
}

int image_rules_merge_kustomization(arena *a, image_rules *r, const node *k)
{
    const char *v;
    const char *where = "kustomization annotation";
    if (!r->registry && (v = annotation(k, "kgrender.io/registry")) && *v) {
        if (image_registry_check("kgrender.io/registry", v) < 0) return err_prefix("%s", where);
        r->registry = v;
    }
    if (!r->repository && (v = annotation(k, "kgrender.io/image-repository")) && *v) {
        if (check_org(v) < 0) return err_prefix("%s kgrender.io/image-repository", where);
        r->repository = v;
    }
    if ((v = annotation(k, "kgrender.io/any-image-field")) && !strcmp(v, "true")) r->any_field = 1;
    if ((v = annotation(k, "kgrender.io/registry-map"))) {
        /* comma- or newline-separated FROM=TO entries, after the flags' */
        const char *p = v;
        while (*p) {
            size_t n = strcspn(p, ",\n");
            char *entry = arena_strndup(a, p, n);
            while (*entry == ' ') entry++;
            if (*entry && image_rules_add_map(r, "--registry-map", entry) < 0) return err_prefix("%s kgrender.io/registry-map", where);
            p += n;
            if (*p) p++;
        }
    }
    return 0;
}

int image_rules_rewrite(const image_rules *r)
{
    return r->registry || r->repository || r->nmaps;
}

/* True when name is prefix itself or lies under prefix/. */
static int under(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(name, prefix, n) && (name[n] == '/' || name[n] == 0);
}

/* FROM given in a familiar form still matches the normalized name. */
static int map_matches(const char *name, const char *from)
{
    if (under(name, from)) return 1;
    return !strcmp(from, "index.docker.io") && under(name, "docker.io");
}

/* ORG replaces the first segment; a one-segment path gets ORG in front. */
static const char *with_org(arena *a, const char *org, const char *path)
{
    const char *slash = strchr(path, '/');
    return arena_printf(a, "%s/%s", org, slash ? slash + 1 : path);
}

int image_mirror(arena *a, const image_rules *r, const imageref *in, imageref *out)
{
    *out = *in;
    const char *name = imageref_name(a, in);
    const image_map *best = NULL;
    for (size_t i = 0; i < r->nmaps; i++) {
        if (under(name, r->maps[i].to)) return 0; /* already mirrored */
        if (map_matches(name, r->maps[i].from) && (!best || strlen(r->maps[i].from) > strlen(best->from)))
            best = &r->maps[i];
    }
    const char *target, *rest;
    if (!best && r->registry && under(name, r->registry)) {
        /* already at the mirror (a chart that reads global.imageRegistry put
         * it there): only the organisation is still to be set, which is
         * idempotent too */
        if (!r->repository) return 0;
        target = r->registry, rest = name + strlen(r->registry) + 1;
    } else if (best) {
        size_t n = strlen(best->from);
        target = best->to;
        rest = !strcmp(best->from, "index.docker.io") ? in->path : (name[n] ? name + n + 1 : "");
    } else if (r->registry) {
        target = r->registry, rest = in->path;
    } else if (r->repository) {
        target = in->domain, rest = in->path;
    } else {
        return 0;
    }
    if (r->repository && *rest) rest = with_org(a, r->repository, rest);
    const char *full = *rest ? arena_printf(a, "%s/%s", target, rest) : target;
    imageref m;
    if (imageref_parse(a, full, &m) < 0 || !*m.domain)
        return err_set("the mirror name '%s' of '%s' is not a valid image name", full, imageref_string(a, in));
    out->domain = m.domain;
    out->path = m.path;
    return 0;
}
