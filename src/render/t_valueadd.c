/* ValueAddTransformer (kustomize's builtin valueaddtransformer over
 * api/filters/valueadd), only from transformers: entries. A value (by
 * default the name of the directory of the kustomization listing the
 * entry) is set at each target's field path of every selected object,
 * creating the path as kyaml's LookupCreate does; with filePathPosition
 * i > 0 the field holds a file path and the value becomes its i-th part.
 * A metadata/namespace target runs the namespace filter instead. */
#include "builtins.h"
#include "err.h"
#include "fieldpath.h"
#include "godecode.h"
#include "kyaml.h"
#include "patch_apply.h"
#include "scalar.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Go's path.Clean on the joined non-empty parts (filepath.Join); "" when
 * every part is empty. */
static const char *go_join(arena *a, const char **parts, size_t n)
{
    strbuf in = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        if (*parts[i]) sb_addf(&in, "%s%s", in.len ? "/" : "", parts[i]);
    if (!in.len) return "";
    int rooted = in.buf[0] == '/';
    const char **seg = arena_alloc(a, (in.len + 1) * sizeof *seg);
    size_t ns = 0, dotdots = 0; /* leading ".." of a relative path cannot be undone */
    char *save = NULL;
    for (char *tok = strtok_r(in.buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, ".")) continue;
        if (!strcmp(tok, "..")) {
            if (ns > dotdots) ns--;
            else if (!rooted) seg[ns++] = "..", dotdots++;
            continue;
        }
        seg[ns++] = arena_strdup(a, tok);
    }
    sb_release(&in);
    strbuf out = STRBUF_INIT;
    if (rooted) sb_addc(&out, '/');
    for (size_t i = 0; i < ns; i++) sb_addf(&out, "%s%s", i ? "/" : "", seg[i]);
    const char *r = out.len ? arena_strdup(a, out.buf) : ".";
    sb_release(&out);
    return r;
}

/* kyaml's filesys.PathSplit: parts of p, an absolute path starting with "". */
static size_t path_split(arena *a, const char *p, const char ***out)
{
    size_t len = strlen(p), n = 0;
    const char **rev = arena_alloc(a, (len + 2) * sizeof *rev);
    while (len) {
        const char *slash = NULL;
        for (size_t i = len; i-- > 0;)
            if (p[i] == '/') {
                slash = p + i;
                break;
            }
        if (!slash) {
            rev[n++] = arena_strndup(a, p, len);
            break;
        }
        size_t i = (size_t)(slash - p);
        const char *last = arena_strndup(a, slash + 1, len - i - 1);
        if (i == 0) { /* dir is "/" */
            if (*last) rev[n++] = last;
            rev[n++] = "";
            break;
        }
        rev[n++] = last;
        len = i; /* dir without its trailing separator */
    }
    const char **v = arena_alloc(a, (n + 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = rev[n - 1 - i];
    *out = v;
    return n;
}

/* kyaml's filesys.InsertPathPart: part inserted at pos (0-based, clamped),
 * a leading "/" kept, the result joined and cleaned. */
static const char *insert_path_part(arena *a, const char *path, long pos, const char *part)
{
    if (!*part) return path;
    const char **parts;
    size_t n = path_split(a, path, &parts);
    size_t at = pos < 0 ? 0 : (size_t)pos > n ? n : (size_t)pos;
    if (n && !*parts[0] && at < n) at++; /* positions count from the first name of an absolute path */
    const char **res = arena_alloc(a, (n + 2) * sizeof *res);
    memcpy(res, parts, at * sizeof *res);
    res[at] = part;
    memcpy(res + at + 1, parts + at, (n - at) * sizeof *res);
    if (!*res[0]) return arena_printf(a, "/%s", go_join(a, res + 1, n));
    return go_join(a, res, n + 1);
}

/* The filter's field path: split on "/", a part ending in "\" joined with
 * the next one by a "/" (kustomize's escape), then cleaned by PathGetter. */
static void parse_path(arena *a, const char *text, fieldpath *fp)
{
    size_t cap = strlen(text) + 1, n = 0;
    const char **parts = arena_alloc(a, cap * sizeof *parts);
    for (const char *p = text;;) {
        const char *e = strchr(p, '/');
        const char *piece = arena_strndup(a, p, e ? (size_t)(e - p) : strlen(p));
        size_t pl = n ? strlen(parts[n - 1]) : 0;
        if (n && pl && parts[n - 1][pl - 1] == '\\')
            parts[n - 1] = arena_printf(a, "%.*s/%s", (int)(pl - 1), parts[n - 1], piece);
        else
            parts[n++] = piece;
        if (!e) break;
        p = e + 1;
    }
    fieldpath_from_parts(a, text, parts, (uint32_t)n, fp);
}

/* valueadd.Filter on one object: LookupCreate of a scalar, then kyaml's
 * FieldSetter with the new text (untagged, in the old value's style). */
static int add_value(arena *a, resource *r, const char *path, long pos, const char *value)
{
    fieldpath fp;
    node **slot;
    parse_path(a, path, &fp);
    for (uint32_t i = 0; i < fp.n; i++)
        if (!strcmp(fp.v[i].text, "*"))
            return err_set("field path '%s': wildcard is not supported in PathGetter", path);
    if (fieldpath_lookup_create(a, &r->obj, &fp, N_STR, &slot) < 0) return -1;
    if (!slot) return 0; /* the path stops at a null: kyaml sets nothing */
    node *old = *slot;
    if (old->kind >= N_MAP)
        return err_set("%s: wrong node kind for %s: expected ScalarNode, was %s", node_pos(a, old), path,
                       old->kind == N_MAP ? "MappingNode" : "SequenceNode");
    const char *text = pos > 0 ? insert_path_part(a, old->u.str.s, pos - 1, value) : value;
    node *val = scalar_new_plain(a, text, strlen(text));
    val->flags |= NF_UNTAGGED;
    val = scalar_take_style(a, val, old);
    node_set_pos(val, old);
    node_write(slot, val);
    return 0;
}

static const char *trim_space(arena *a, const char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return arena_strndup(a, s, n);
}

/* filepath.Base of the kustomization's directory. */
static const char *dir_base(arena *a, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    size_t start = n;
    while (start && dir[start - 1] != '/') start--;
    return start == n ? "/" : arena_strndup(a, dir + start, n - start);
}

/* Config: the value defaulted, targetFilePath's targets appended, each target checked. */
static int read_targets(kust *k, const node *config, node **targets)
{
    arena *a = k->b->a;
    node *list = node_new(a, N_SEQ), *given = map_get(config, "targets");
    for (uint32_t i = 0; given && given->kind == N_SEQ && i < given->u.seq.n; i++)
        seq_push(a, list, given->u.seq.items[i]);
    const char *file = node_strval(map_get(config, "targetFilePath"));
    if (file && *file) {
        const char *full;
        node *doc, *decoded = NULL;
        int rc = kust_read_yaml_v2(k, file, config, &doc, &full);
        if (rc == 0 && doc)
            rc = go_decode(a, doc, &go_valueadd_targets, GD_JSON, "ValueAddTransformer targetFilePath",
                           &decoded);
        if (rc < 0) return -1;
        node *more = map_get(decoded, "targets");
        for (uint32_t i = 0; more && more->kind == N_SEQ && i < more->u.seq.n; i++)
            seq_push(a, list, more->u.seq.items[i]);
    }
    if (!list->u.seq.n)
        return err_set("%s: ValueAddTransformer: must specify at least one target", node_pos(a, config));
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        const node *t = list->u.seq.items[i];
        const char *path = node_strval(map_get(t, "fieldPath"));
        const char *pos = node_text(map_get(t, "filePathPosition"));
        if (!path || !*path) return err_set("%s: ValueAddTransformer: fieldPath cannot be empty", node_pos(a, t));
        if (pos && atol(pos) < 0)
            return err_set("%s: ValueAddTransformer: value of FilePathPosition (%s) cannot be negative",
                           node_pos(a, t), pos);
    }
    *targets = list;
    return 0;
}

static int apply_target(kust *k, const node *t, const char *value, resmap *rm)
{
    arena *a = k->b->a;
    const char *path = node_strval(map_get(t, "fieldPath"));
    const char *pos = node_text(map_get(t, "filePathPosition"));
    const node *sel = map_get(t, "selector");
    resource **v = rm->v;
    size_t n = rm->n;
    if (sel && patch_select(k, rm, sel, &v, &n) < 0) return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!strcmp(path, "metadata/namespace")) rc = namespace_filter(a, v[i], value);
        else rc = add_value(a, v[i], path, pos ? atol(pos) : 0, value);
        if (rc < 0) err_prefix("ValueAddTransformer on %s", resid_display(a, &v[i]->id));
        resource_refresh_id(v[i]);
    }
    if (sel) free(v);
    return rc;
}

int builtin_valueadd(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    const char *value = node_strval(map_get(config, "value"));
    value = trim_space(a, value ? value : "");
    if (!*value) value = dir_base(a, k->realdir);
    node *targets = NULL;
    if (read_targets(k, config, &targets) < 0) return -1;
    for (uint32_t i = 0; i < targets->u.seq.n; i++)
        if (apply_target(k, targets->u.seq.items[i], value, rm) < 0) return -1;
    resmap_reindex(rm);
    return 0;
}
