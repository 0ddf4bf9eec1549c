/* SecretGenerator: secretGenerator entries and `generators:` configs of that
 * kind. Every value is base64-encoded into data; type defaults to Opaque. */
#include "generator.h"
#include "scalar.h"

static int fill_secret(kust *k, node *obj, const node *config, const gen_pair *pairs, size_t n)
{
    arena *a = k->b->a;
    const char *type = node_get_str(config, "type", NULL);
    map_set(a, obj, "type", node_new_str(a, type && *type ? type : "Opaque"));
    map_set(a, obj, "data", node_new(a, N_MAP)); /* present even when empty */
    for (size_t i = 0; i < n; i++) {
        strbuf sb = STRBUF_INIT;
        gen_base64_lines(&sb, pairs[i].val, pairs[i].len);
        map_set_plain_key(a, map_get(obj, "data"), pairs[i].key, scalar_new_string(a, sb.buf ? sb.buf : "", sb.len));
        sb_release(&sb);
    }
    return 0;
}

static const gen_kind secret_kind = {"Secret", "SecretGenerator", "secretGenerator", fill_secret};

int configure_secrets(kust *k, node_list *configs)
{
    return generator_configure(k, &secret_kind, configs);
}

int builtin_secrets(kust *k, node *config, resmap *rm)
{
    return generator_run(k, &secret_kind, config, rm);
}
