/* Leader election with a coordination.k8s.io Lease (leader.c). */
#ifndef KG_LEADER_H
#define KG_LEADER_H
#include "cluster.h"

typedef struct leader {
    const char *ns, *name;
    char identity[256];
    int lease_duration_s, renew_deadline_s, retry_period_s; /* client-go's defaults: 15, 10, 2 */
    int leading;          /* we hold the lease */
    int lost;             /* we held it and could not renew within the deadline */
    int last_error_logged;
    char observed[600];   /* holder|renewTime last seen */
    double observed_at;   /* monotonic time it was first seen */
    double last_renew, next_try;
} leader;

void leader_init(leader *l, const char *ns, const char *name, const char *identity);
/* Tries to acquire or renew when retryPeriod has passed; returns 1 while leading. */
int leader_tick(leader *l, cluster *c);

#endif
