#ifndef KG_VERSION_H
#define KG_VERSION_H
#define KGRENDER_VERSION "0.1.0"
/* The kustomize release whose output kgrender reproduces byte for byte. */
#define KUSTOMIZE_COMPAT "v5.5.0"
#endif
