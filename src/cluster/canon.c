/* Small tools of the apply engine: the key map, object keys, the content
 * hash and the redaction of Secret values in messages. */
#include "apply.h"
#include "jsonout.h"
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

static uint64_t key_hash(const char *k)
{
    return XXH3_64bits(k, strlen(k));
}

static void keymap_grow(keymap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    const char **keys = calloc(cap, sizeof *keys);
    uint32_t *vals = malloc(cap * sizeof *vals);
    if (!keys || !vals) abort();
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = key_hash(m->keys[i]) & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
}

void keymap_put(keymap *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap) keymap_grow(m);
    size_t j = key_hash(key) & (m->cap - 1);
    while (m->keys[j] && strcmp(m->keys[j], key)) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) m->n++;
    m->keys[j] = key;
    m->vals[j] = val;
}

int keymap_get(const keymap *m, const char *key, uint32_t *val)
{
    if (!m->cap) return 0;
    size_t j = key_hash(key) & (m->cap - 1);
    for (; m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (!strcmp(m->keys[j], key)) {
            if (val) *val = m->vals[j];
            return 1;
        }
    return 0;
}

void keymap_free(keymap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

const char *obj_key(arena *a, const char *group, const char *kind, const char *ns, const char *name)
{
    return arena_printf(a, "%s/%s/%s/%s", group ? group : "", kind, ns ? ns : "", name);
}

void content_hash(const node *obj, char out[33])
{
    strbuf sb = STRBUF_INIT;
    json_value(&sb, obj);
    XXH128_hash_t h = XXH3_128bits(sb.buf, sb.len);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[c.digest[i] >> 4];
        out[2 * i + 1] = hex[c.digest[i] & 15];
    }
    out[32] = 0;
    sb_release(&sb);
}

/* ---- Secret values ---------------------------------------------------------- */

static _Thread_local strlist secrets; /* per thread: the controller's workers apply in parallel */

static void remember(arena *a, const char *s, size_t len)
{
    if (len >= 4) strlist_push(a, &secrets, arena_strndup(a, s, len));
}

/* Remembers a value in both spellings: as written and base64 (encoded for
 * stringData, decoded for data), since a server message may show either. */
static void remember_both(arena *a, const char *s, int is_b64)
{
    size_t len = strlen(s);
    remember(a, s, len);
    unsigned char *buf = arena_alloc(a, len * 2 + 8);
    int n;
    if (is_b64) {
        n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
        if (n < 0) return;
        while (n > 0 && len && s[len - 1] == '=') n--, len--; /* DecodeBlock counts padding as zeros */
    } else {
        n = EVP_EncodeBlock(buf, (const unsigned char *)s, (int)len);
    }
    remember(a, (const char *)buf, (size_t)n);
}

void secret_remember(arena *a, const node *obj)
{
    const char *kind = node_get_str(obj, "kind", NULL);
    if (!kind || strcmp(kind, "Secret")) return;
    static const char *const fields[] = {"data", "stringData"};
    for (int f = 0; f < 2; f++) {
        const node *m = map_get(obj, fields[f]);
        if (!m || m->kind != N_MAP) continue;
        for (uint32_t i = 0; i < m->u.map.n; i++) {
            const char *v = node_text(m->u.map.items[i].val);
            if (v) remember_both(a, v, f == 0);
        }
    }
}

void secret_forget(void)
{
    memset(&secrets, 0, sizeof secrets);
}

const char *redact(arena *a, const char *msg)
{
    if (!msg || !secrets.n) return msg;
    const char *cur = msg;
    for (uint32_t i = 0; i < secrets.n; i++) {
        const char *s = secrets.v[i];
        if (!strstr(cur, s)) continue;
        strbuf sb = STRBUF_INIT;
        size_t sl = strlen(s);
        for (const char *p = cur, *q; ; p = q + sl) {
            q = strstr(p, s);
            if (!q) {
                sb_adds(&sb, p);
                break;
            }
            sb_add(&sb, p, (size_t)(q - p));
            sb_adds(&sb, "[redacted]");
        }
        cur = arena_strdup(a, sb.buf);
        sb_release(&sb);
    }
    return cur;
}

/* What an apply cannot change or the server sets itself, and the
 * annotations apply tools keep for their own bookkeeping; maps left empty go
 * too, so an object applied by another tool compares equal. */
void strip_server_fields(node *obj)
{
    node *meta = map_get(obj, "metadata");
    static const char *const drop[] = {"managedFields", "resourceVersion", "generation", "creationTimestamp",
                                       "uid", "selfLink", NULL};
    for (int k = 0; meta && drop[k]; k++) map_del(meta, drop[k]);
    map_del(obj, "status");
    node *ann = map_get(meta, "annotations");
    if (ann && ann->kind == N_MAP) {
        map_del(ann, ANN_HASH);
        map_del(ann, "kubectl.kubernetes.io/last-applied-configuration");
        if (!ann->u.map.n) map_del(meta, "annotations");
    }
}
