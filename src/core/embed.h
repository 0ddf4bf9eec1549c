/* Data files compiled into the binary (src/data, see tools/embed.sh). */
#ifndef KG_EMBED_H
#define KG_EMBED_H
#include <stddef.h>

struct embedded_file {
    const char *name;
    const char *data; /* NUL-terminated */
    size_t size;
};
extern const struct embedded_file kg_embedded[];

/* Returns the file's contents, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
