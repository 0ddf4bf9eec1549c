/* ConfigMapGenerator: configMapGenerator entries and `generators:` configs
 * of that kind. Text values go to data; values that are not valid UTF-8 go
 * to binaryData, base64-encoded (kyaml's LoadMapIntoConfigMapData). */
#include "generator.h"
#include "scalar.h"

static int fill_configmap(kust *k, node *obj, const node *config, const gen_pair *pairs, size_t n)
{
    arena *a = k->b->a;
    (void)config;
    for (size_t i = 0; i < n; i++) {
        const gen_pair *p = &pairs[i];
        node *v;
        const char *field = "data";
        if (gen_utf8_valid(p->val, p->len)) {
            v = scalar_new_string(a, p->val, p->len); /* makeConfigMapValueRNode, SetField */
        } else {
            strbuf sb = STRBUF_INIT;
            gen_base64_lines(&sb, p->val, p->len);
            v = scalar_new_string(a, sb.buf ? sb.buf : "", sb.len);
            sb_release(&sb);
            field = "binaryData";
        }
        map_set_plain_key(a, map_ensure_map(a, obj, field), p->key, v);
    }
    return 0;
}

static const gen_kind configmap_kind = {"ConfigMap", "ConfigMapGenerator", "configMapGenerator", fill_configmap};

int configure_configmaps(kust *k, node_list *configs)
{
    return generator_configure(k, &configmap_kind, configs);
}

int builtin_configmaps(kust *k, node *config, resmap *rm)
{
    return generator_run(k, &configmap_kind, config, rm);
}
