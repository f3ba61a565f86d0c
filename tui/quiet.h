/* SPDX-License-Identifier: GPL-2.0 */
/* -q, --quiet: a view that shows nothing. The filter runs, --metrics serves, until a signal. */
#ifndef TCPDROP_QUIET_H
#define TCPDROP_QUIET_H

#include "run.h"

extern const struct view_ops quiet_view;

#endif /* TCPDROP_QUIET_H */
