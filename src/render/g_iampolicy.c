/* IAMPolicyGenerator (`generators:` only): for cloud gke, a ServiceAccount
 * annotated with the Google service account it acts as (kustomize's
 * api/filters/iampolicygenerator). */
#include "builtins.h"
#include "err.h"
#include <string.h>

int builtin_iampolicy(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    const char *cloud = node_get_str(config, "cloud", NULL);
    if (!cloud || strcmp(cloud, "gke"))
        return err_set("%s: IAMPolicyGenerator: cloud provider %s not supported yet", node_pos(a, config),
                       cloud ? cloud : "");
    const char *ksa = node_get_str(config, "kubernetesService", "name", NULL);
    const char *ns = node_get_str(config, "kubernetesService", "namespace", NULL);
    const char *gsa = node_get_str(config, "serviceAccount", "name", NULL);
    const char *project = node_get_str(config, "serviceAccount", "projectId", NULL);
    node *obj = node_new(a, N_MAP);
    node_set_pos(obj, config);
    map_set(a, obj, "apiVersion", node_new_str(a, "v1"));
    map_set(a, obj, "kind", node_new_str(a, "ServiceAccount"));
    node *md = map_ensure_map(a, obj, "metadata");
    map_set(a, md, "name", node_new_str(a, ksa ? ksa : ""));
    if (ns && *ns) map_set(a, md, "namespace", node_new_str(a, ns));
    map_set(a, map_ensure_map(a, md, "annotations"), "iam.gke.io/gcp-service-account",
            node_new_str(a, arena_printf(a, "%s@%s.iam.gserviceaccount.com", gsa ? gsa : "", project ? project : "")));
    resource *r;
    if (resource_new(a, obj, &r) < 0) return -1;
    r->generated = 1;
    r->configured_in = config->file ? config->file : k->file;
    r->origin = r->configured_in;
    r->configured_by_kind = "IAMPolicyGenerator";
    r->configured_by_name = node_get_str(config, "metadata", "name", NULL);
    return resmap_append(a, rm, r);
}
