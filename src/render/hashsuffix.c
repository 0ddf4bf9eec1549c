/* Content-hash name suffixes of generated ConfigMaps and Secrets, added at
 * the end of the top-level build (kustomize's HashTransformer). The hash is
 * api/hasher's: SHA-256 of Go's json.Marshal of a small map holding kind,
 * an always-empty name (kustomize looks up "metadata/name" as one key),
 * data, binaryData (ConfigMap) or type and stringData (Secret); the first
 * ten hex digits, with 0 1 3 a e replaced by g h k m t. Also the builtin
 * HashTransformer of transformers: entries. */
#include "builtins.h"
#include "jsonout.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* hasher.getNodeValues: a map or list as JSON, a scalar as its text, absent as "". */
static void field_value(strbuf *sb, const node *obj, const char *key)
{
    const node *v = map_get(obj, key);
    if (v && (v->kind == N_MAP || v->kind == N_SEQ)) json_value_float64(sb, v);
    else json_string(sb, v ? v->u.str.s : "", v ? v->u.str.len : 0);
}

static void add_field(strbuf *sb, const char *key, const node *obj, const char *src)
{
    json_string(sb, key, strlen(key));
    sb_addc(sb, ':');
    field_value(sb, obj, src);
    sb_addc(sb, ',');
}

/* Fields only hashed when they hold a map. */
static void add_if_map(strbuf *sb, const node *obj, const char *key)
{
    const node *v = map_get(obj, key);
    if (v && v->kind == N_MAP) add_field(sb, key, obj, key);
}

static void hash_input(strbuf *sb, const node *obj)
{
    const char *kind = node_get_str(obj, "kind", NULL);
    int secret = kind && !strcmp(kind, "Secret");
    sb_addc(sb, '{');
    if (!secret) add_if_map(sb, obj, "binaryData");
    add_field(sb, "data", obj, "data");
    sb_adds(sb, secret ? "\"kind\":\"Secret\",\"name\":\"\"," : "\"kind\":\"ConfigMap\",\"name\":\"\",");
    if (secret) {
        add_if_map(sb, obj, "stringData");
        add_field(sb, "type", obj, "type");
    }
    sb->buf[sb->len - 1] = '}';
}

int hash_suffix_compute(const node *obj, char out[11])
{
    strbuf sb = STRBUF_INIT;
    hash_input(&sb, obj);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    /* No openssl.cnf: a content hash needs no configuration, and reading it
     * was most of the first hash's cost. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    int ok = EVP_Digest(sb.buf, sb.len, md, &mdlen, EVP_sha256(), NULL);
    sb_release(&sb);
    if (!ok || mdlen < 5) return -1;
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 10; i++) {
        char c = hex[(md[i / 2] >> (i % 2 ? 0 : 4)) & 15];
        switch (c) {
        case '0': c = 'g'; break;
        case '1': c = 'h'; break;
        case '3': c = 'k'; break;
        case 'a': c = 'm'; break;
        case 'e': c = 't'; break;
        default: break;
        }
        out[i] = c;
    }
    out[10] = 0;
    return 0;
}

/* kustomize's HashTransformer: every object that needs a hash suffix gets
 * one (its previous id remembered). The marker stays, as in kustomize: a
 * HashTransformer listed under transformers: hashes a name that the build
 * hashes again at the end (name-h-h). */
static int add_hashes(kust *k, resmap *rm, int clear)
{
    arena *a = k->b->a;
    int renamed = 0;
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        if (!r->needs_hash) continue;
        char h[11];
        if (hash_suffix_compute(r->obj, h) < 0) return -1;
        resource_remember_id(a, r);
        node *md = map_ensure_map(a, r->obj, "metadata");
        map_set(a, md, "name", node_new_str(a, arena_printf(a, "%s-%s", r->id.name, h)));
        resource_refresh_id(r);
        if (clear) r->needs_hash = 0;
        renamed = 1;
    }
    if (renamed) resmap_reindex(rm);
    return 0;
}

int hash_suffix_apply(kust *k, resmap *rm)
{
    return add_hashes(k, rm, 1); /* the build's last hashing: nothing needs one after it */
}

int builtin_hash(kust *k, node *config, resmap *rm)
{
    (void)config; /* HashTransformer takes no settings */
    return add_hashes(k, rm, 0);
}
