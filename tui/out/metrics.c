// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tui/cli/cli.h"
#include "tui/kernel/loader.h"
#include "tui/lib/clock.h"
#include "tui/lib/error.h"
#include "tui/out/metrics.h"
#include "tui/run.h"

/* --- The server ----------------------------------------------------------------------------- */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tcpdrop-top</title></head>\n"
	"<body><h1>tcpdrop-top</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

static enum MHD_Result respond(struct MHD_Connection *c, unsigned int status, const char *type,
			       const char *body, size_t len, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	/* One request a connection: nothing idles between scrapes, and no connection outlives
	 * the age limit in the middle of a second request. */
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_NO ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_NO ||
	    (allow && MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow) == MHD_NO)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned int status, const char *msg,
			     const char *allow)
{
	return respond(c, status, "text/plain; charset=utf-8", msg, strlen(msg), allow);
}

static enum MHD_Result serve_metrics(struct metrics *m, struct MHD_Connection *c)
{
	struct metrics_values v;
	size_t need;

	metrics_values_of(&v, run_view(m->run));
	/* The kernel's counters now: exact at the scrape, whatever the period (-d). */
	if (run_read_counters(m->run, &v.counters))
		return plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "reading the counters failed\n",
			     NULL);
	run_read_port_drops(m->run, m->port_drops);
	v.port_drops = m->port_drops;
	need = metrics_format(m->text, m->textcap, &v);
	if (need >= m->textcap) {
		char *bigger = realloc(m->text, need + 1);

		if (!bigger)
			return plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
		m->text = bigger;
		m->textcap = need + 1;
		metrics_format(m->text, m->textcap, &v);
	}
	return respond(c, MHD_HTTP_OK, METRICS_CONTENT_TYPE, m->text, need, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req)
{
	bool is_metrics = !strcmp(url, "/metrics"), is_index = !strcmp(url, "/");

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req;
	if (!is_metrics && !is_index)
		return plain(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET or HEAD\n",
			     "GET, HEAD");
	if (is_index)
		return respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_page,
			       sizeof(index_page) - 1, NULL);
	return serve_metrics(cls, c);
}

/* Every connection is noted when it opens, so that one older than METRICS_MAX_SECONDS, however
 * busy, is cut (metrics_tick); MHD's own timeout only counts silence. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct metrics *m = cls;
	const union MHD_ConnectionInfo *info;
	struct metrics_conn *slot = *socket_ctx;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (slot)
			slot->fd = -1;
		*socket_ctx = NULL;
		return;
	}
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!info)
		return;
	for (size_t i = 0; i < METRICS_MAX_CONNECTIONS; i++) {
		if (m->conns[i].fd >= 0)
			continue;
		m->conns[i] = (struct metrics_conn){ .fd = info->connect_fd,
						     .opened_ns = monotonic_ns() };
		*socket_ctx = &m->conns[i];
		return;
	}
}

int metrics_listen(struct metrics *m, const struct listen_addr *addr, struct error *e)
{
	int fd = listen_open(addr);

	m->addr = *addr;
	for (size_t i = 0; i < METRICS_MAX_CONNECTIONS; i++)
		m->conns[i].fd = -1;
	if (fd < 0) {
		char doing[sizeof(addr->text) + 16];

		snprintf(doing, sizeof(doing), "--metrics %s", addr->text);
		if (fd == -EMFILE || fd == -ENFILE)
			return loader_fds_error(fd, doing, e);
		if (fd == -EADDRINUSE)
			return error_set(e, fd, "--metrics %s: the port is in use (another "
					 "tcpdrop-top?): choose another", addr->text);
		if (fd == -EADDRNOTAVAIL)
			return error_usage(e, fd, "--metrics %s: no interface has that address",
					   addr->text);
		return error_set(e, fd, "--metrics %s: cannot listen: %s", addr->text,
				 strerror(-fd));
	}
	m->listen_fd = fd;
	return 0;
}

/* Each connection is a descriptor: let the connection limit, not the default 1024 descriptors
 * of a process, be what bounds them. */
static void room_for_connections(void)
{
	struct rlimit rl;
	rlim_t want = METRICS_MAX_CONNECTIONS + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int metrics_start(struct metrics *m, struct run *r, struct error *e)
{
	char doing[sizeof(m->addr.text) + 16];
	int err;

	m->run = r;
	m->port_drops = calloc(TCPDROP_PORTS, sizeof(*m->port_drops));
	if (!m->port_drops)
		return error_set(e, -ENOMEM, "--metrics: out of memory");
	room_for_connections();
	/* The server's epoll descriptor, and one connection at least. */
	snprintf(doing, sizeof(doing), "--metrics %s", m->addr.text);
	err = loader_need_fds(2, doing, e);
	if (err)
		return err;
	/* No thread of MHD's own: metrics_tick() runs it from the loop (see metrics.h). Without
	 * MHD_USE_ERROR_LOG it writes nothing to stderr, which the live view may be showing. */
	m->daemon = MHD_start_daemon(
		MHD_USE_EPOLL, 0, NULL, NULL, on_request, m,
		MHD_OPTION_LISTEN_SOCKET, m->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)METRICS_MAX_PER_ADDRESS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_IDLE_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_REQUEST_BYTES,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, m,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_END);
	if (!m->daemon)
		return error_set(e, -EIO, "--metrics %s: cannot start the HTTP server",
				 m->addr.text);
	m->listen_fd = -1;	/* the daemon's now: it closes it */
	return 0;
}

/* A pass of the run loop: answers what has come in. */
static int metrics_tick(void *out, struct run *r, uint64_t now_ns, struct error *e)
{
	struct metrics *m = out;
	uint64_t max_age = METRICS_MAX_SECONDS * 1000000000ULL;

	(void)r;
	(void)e;
	if (!m->daemon)
		return 0;
	if (now_ns >= m->next_sweep_ns) {
		/* Shut down, not closed: MHD still owns the descriptor, and closes it when it
		 * reads the end; the loop is MHD's only thread, so it cannot be reused before. */
		for (size_t i = 0; i < METRICS_MAX_CONNECTIONS; i++) {
			struct metrics_conn *c = &m->conns[i];

			if (c->fd >= 0 && !c->cut && now_ns - c->opened_ns >= max_age) {
				shutdown(c->fd, SHUT_RDWR);
				c->cut = true;
			}
		}
		m->next_sweep_ns = now_ns + 100000000ULL;
	}
	MHD_run(m->daemon);	/* never blocks: answers what is there */
	return 0;
}

void metrics_stop(struct metrics *m)
{
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	m->daemon = NULL;
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	m->listen_fd = -1;
	free(m->text);
	m->text = NULL;
	m->textcap = 0;
	free(m->port_drops);
	m->port_drops = NULL;
}

/* --- The output ------------------------------------------------------------------------------ */

static int metrics_prepare(void *out, const struct output_setup *s, struct error *e)
{
	struct metrics *m = out;

	m->quiet = s->live;
	return metrics_listen(m, &s->opts->metrics, e);
}

static int metrics_open(void *out, struct run *r, struct error *e)
{
	const struct watch *w = &run_view(r)->watch;
	struct metrics *m = out;
	int err = metrics_start(m, r, e);

	if (err || m->quiet)
		return err;
	say(stderr, "serving metrics on http://%s/metrics%s", m->addr.text,
	    m->addr.any ? " (IPv6 and IPv4)" : "");
	if (ports_contains(&w->port_set, m->addr.port))
		say(stderr, "warning: the --metrics port %u is a watched port: scrapes that come "
		    "in through %s are dropped", m->addr.port, w->ifname);
	return 0;
}

static void metrics_release(void *out, const struct run_view *ran)
{
	(void)ran;
	metrics_stop(out);
}

const struct output_ops metrics_output = {
	.prepare = metrics_prepare,
	.open = metrics_open,
	.tick = metrics_tick,
	.release = metrics_release,
};
