#include "remote.h"
#include "err.h"
#include <string.h>

int remote_is_url(const char *s)
{
    return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7) || !strncmp(s, "git@", 4) ||
           !strncmp(s, "ssh://", 6) || !strncmp(s, "github.com/", 11) || !strncmp(s, "git::", 5);
}

int remote_fetch(kust *k, const char *url, const node *where, strbuf *body, const char **local_dir)
{
    (void)body;
    (void)local_dir;
    return err_set("%s: remote resource '%s' is not supported yet", node_pos(k->b->a, where), url);
}
