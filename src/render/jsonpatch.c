/* JSON patch, following evanphx/json-patch v4 (what kustomize v5.5.0 runs)
 * including its leniencies: a path's first segment is dropped unread, and
 * replace sets a missing object key. */
#include "jsonpatch.h"
#include "err.h"
#include "json.h"
#include "kyaml.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int jsonpatch_is_ops(const node *doc)
{
    if (!doc || doc->kind != N_SEQ) return 0;
    for (uint32_t i = 0; i < doc->u.seq.n; i++)
        if (doc->u.seq.items[i]->kind != N_MAP && doc->u.seq.items[i]->kind != N_NULL) return 0;
    return 1;
}

int jsonpatch_parse(arena *a, const char *file, const char *text, size_t len, node **ops)
{
    node *doc = NULL;
    /* kustomize decodes text starting with '[' as JSON, anything else with
     * sigs.k8s.io/yaml's YAMLToJSON (go-yaml v2, YAML 1.1 types) */
    int rc = len && text[0] == '[' ? json_load(a, file, text, len, &doc) : yaml_load_v2(a, file, text, len, &doc);
    if (rc == 0 && (!doc || doc->kind == N_NULL)) doc = node_new(a, N_SEQ); /* JSON null: a patch of no operations */
    if (rc == 0 && !jsonpatch_is_ops(doc))
        rc = err_set("%s: a JSON patch must be one list of operations ({op, path, value|from})", file);
    /* the values reach the object as JSON (and come back from it with the
     * object, through yaml_from_json) */
    if (rc == 0) rc = yaml_json_view_v2(a, doc, "JSON patch");
    if (rc == 0) *ops = doc;
    return rc;
}

/* "~1" is "/" and "~0" is "~" in a pointer segment. */
static const char *decode_key(arena *a, const char *s, size_t len)
{
    char *out = arena_alloc(a, len + 1), *w = out;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '~' && i + 1 < len && (s[i + 1] == '0' || s[i + 1] == '1')) {
            *w++ = s[i + 1] == '0' ? '~' : '/';
            i++;
        } else {
            *w++ = s[i];
        }
    }
    *w = 0;
    return out;
}

/* strconv.Atoi, then v4's negative-index rule; max is the largest valid index. */
static int array_index(const char *key, long max, long len, long *idx)
{
    char *end;
    errno = 0;
    long v = strtol(key, &end, 10);
    if (!*key || *end || errno || key[0] == ' ') return -1;
    if (v < 0) {
        if (v < -len) return -1;
        v += len;
    }
    if (v > max) return -1;
    *idx = v;
    return 0;
}

static node *con_get(const node *con, const char *key, int *bad)
{
    *bad = 0;
    if (con->kind == N_MAP) return map_get(con, key);
    long i, n = con->u.seq.n;
    if (array_index(key, n - 1, n, &i) < 0) {
        *bad = 1;
        return NULL;
    }
    return con->u.seq.items[i];
}

static int con_add(arena *a, node *con, const char *key, node *val)
{
    if (con->kind == N_MAP) {
        map_set(a, con, key, val);
        return 0;
    }
    long i, n = con->u.seq.n;
    if (!strcmp(key, "-")) i = n;
    else if (array_index(key, n, n, &i) < 0) return -1;
    seq_insert(a, con, (size_t)i, val);
    return 0;
}

static int con_remove(node *con, const char *key)
{
    if (con->kind == N_MAP) return map_del(con, key) ? 0 : -1;
    long i, n = con->u.seq.n;
    if (array_index(key, n - 1, n, &i) < 0) return -1;
    seq_del(con, (size_t)i);
    return 0;
}

/* v4 findObject: the container holding the pointer's last segment. */
static node *find_object(arena *a, node *doc, const char *path, const char **key)
{
    const char *slash = strchr(path, '/');
    if (!slash) return NULL;
    node *con = doc;
    const char *p = slash + 1;
    for (const char *e; (e = strchr(p, '/')) != NULL; p = e + 1) {
        int bad;
        node *next = con_get(con, decode_key(a, p, (size_t)(e - p)), &bad);
        if (!next || (next->kind != N_MAP && next->kind != N_SEQ)) return NULL;
        con = next;
    }
    *key = decode_key(a, p, strlen(p));
    return con;
}

static int json_equal(const node *x, const node *y)
{
    int xn = x->kind == N_INT || x->kind == N_FLOAT, yn = y->kind == N_INT || y->kind == N_FLOAT;
    if (xn && yn) return strtod(x->u.str.s, NULL) == strtod(y->u.str.s, NULL);
    if (x->kind != y->kind) return 0;
    if (x->kind == N_SEQ) {
        if (x->u.seq.n != y->u.seq.n) return 0;
        for (uint32_t i = 0; i < x->u.seq.n; i++)
            if (!json_equal(x->u.seq.items[i], y->u.seq.items[i])) return 0;
        return 1;
    }
    if (x->kind == N_MAP) {
        if (x->u.map.n != y->u.map.n) return 0;
        for (uint32_t i = 0; i < x->u.map.n; i++) {
            node *yv = map_get(y, x->u.map.items[i].key->u.str.s);
            if (!yv || !json_equal(x->u.map.items[i].val, yv)) return 0;
        }
        return 1;
    }
    return node_equal(x, y);
}

typedef struct opctx {
    arena *a;
    node *doc;
    const node *op;
    const char *what, *name, *path;
} opctx;

static int op_fail(const opctx *c, const char *msg)
{
    return err_set("%s: %s: %s operation %s: \"%s\"", node_pos(c->a, c->op), c->what, c->name, msg, c->path);
}

static node *op_value(const opctx *c)
{
    node *v = map_get(c->op, "value");
    return v ? node_clone(c->a, v) : node_new(c->a, N_NULL);
}

/* Resolves "from" to its container, key and value. */
static int take_from(const opctx *c, node **con, const char **key, node **val)
{
    const char *from = node_strval(map_get(c->op, "from"));
    if (!from) return err_set("%s: %s: %s operation has no 'from'", node_pos(c->a, c->op), c->what, c->name);
    int bad;
    *con = find_object(c->a, c->doc, from, key);
    *val = *con ? con_get(*con, *key, &bad) : NULL;
    if (!*val)
        return err_set("%s: %s: %s operation does not apply: doc is missing from path: \"%s\"", node_pos(c->a, c->op),
                       c->what, c->name, from);
    return 0;
}

static int apply_op(opctx *c)
{
    const char *key;
    int bad;
    node *con = find_object(c->a, c->doc, c->path, &key);
    if (!strcmp(c->name, "add")) {
        if (!con) return op_fail(c, "does not apply: doc is missing path");
        return con_add(c->a, con, key, op_value(c)) < 0 ? op_fail(c, "failed: invalid index") : 0;
    }
    if (!strcmp(c->name, "remove")) {
        if (!con) return op_fail(c, "does not apply: doc is missing path");
        return con_remove(con, key) < 0 ? op_fail(c, "failed: nothing to remove at") : 0;
    }
    if (!strcmp(c->name, "replace")) {
        if (!con) return op_fail(c, "does not apply: doc is missing path");
        long i, n = con->kind == N_SEQ ? con->u.seq.n : 0;
        if (con->kind == N_MAP) map_set(c->a, con, key, op_value(c));
        else if (array_index(key, n - 1, n, &i) == 0) con->u.seq.items[i] = op_value(c);
        else return op_fail(c, "does not apply: doc is missing key");
        return 0;
    }
    if (!strcmp(c->name, "move") || !strcmp(c->name, "copy")) {
        node *fcon = NULL, *val;
        const char *fkey;
        if (take_from(c, &fcon, &fkey, &val) < 0) return -1;
        if (c->name[0] == 'm' && con_remove(fcon, fkey) < 0) return op_fail(c, "failed to remove the source");
        if (c->name[0] == 'c') val = node_clone(c->a, val);
        con = find_object(c->a, c->doc, c->path, &key);
        if (!con) return op_fail(c, "does not apply: doc is missing destination path");
        return con_add(c->a, con, key, val) < 0 ? op_fail(c, "failed: invalid index") : 0;
    }
    if (!strcmp(c->name, "test")) {
        if (!con) return op_fail(c, "does not apply: doc is missing path");
        node *have = con_get(con, key, &bad), *want = map_get(c->op, "value");
        if (bad) return op_fail(c, "does not apply: doc is missing key");
        if (!have ? (want && want->kind != N_NULL) : !want || !json_equal(have, want))
            return op_fail(c, "failed: the value differs at");
        return 0;
    }
    return err_set("%s: %s: unexpected operation '%s'", node_pos(c->a, c->op), c->what, c->name);
}

int jsonpatch_apply(arena *a, node *doc, const node *ops, const char *what)
{
    for (uint32_t i = 0; ops && i < ops->u.seq.n; i++) {
        opctx c = {a, doc, ops->u.seq.items[i], what, NULL, NULL};
        c.name = node_strval(map_get(c.op, "op"));
        if (!c.name) c.name = "unknown";
        c.path = node_strval(map_get(c.op, "path"));
        if (!c.path) return err_set("%s: %s: %s operation has no 'path'", node_pos(a, c.op), what, c.name);
        if (apply_op(&c) < 0) return -1;
    }
    return 0;
}
