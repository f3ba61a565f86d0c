// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "error.h"
#include "format.h"
#include "loader.h"
#include "metrics.h"
#include "run.h"

/* --- The exposition text ------------------------------------------------------------------ */

struct text {
	char *buf;
	size_t len, used;	/* used may pass len: then it is the length needed */
};

__attribute__((format(printf, 2, 3)))
static void put(struct text *t, const char *fmt, ...)
{
	size_t room = t->used < t->len ? t->len - t->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? t->buf + t->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += n;
}

/* A label value: backslash, double quote and newline escaped as the format wants, and bytes
 * that are not UTF-8 (an interface name is anyone's bytes) as U+FFFD, which Prometheus takes. */
static void put_label(struct text *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p == '\\' || *p == '"') {
			put(t, "\\%c", *p++);
		} else if (*p == '\n') {
			put(t, "\\n");
			p++;
		} else if ((n = utf8_valid_length(p)) == 0) {
			put(t, "\xef\xbf\xbd");
			p++;
		} else {
			put(t, "%.*s", (int)n, (const char *)p);
			p += n;
		}
	}
}

size_t metrics_format(char *buf, size_t len, const struct metrics_values *v)
{
	struct text t = { .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	for (int c = 0; c < TCPDROP_NR_COUNTERS; c++) {
		const struct tcpdrop_counter_name *n = &tcpdrop_counter_names[c];

		if (!n->metric)
			continue;
		put(&t, "# HELP tcpdrop_top_%s_total %s\n", n->metric, n->help);
		put(&t, "# TYPE tcpdrop_top_%s_total counter\n", n->metric);
		put(&t, "tcpdrop_top_%s_total{ifname=\"", n->metric);
		put_label(&t, v->ifname);
		put(&t, "\"} %" PRIu64 "\n", v->counters.v[c]);
	}
	put(&t, "# HELP tcpdrop_top_sources Source addresses with counts: the per-source table's "
	    "(bounded by --max-sources) and every CPU's recent ones.\n"
	    "# TYPE tcpdrop_top_sources gauge\ntcpdrop_top_sources{ifname=\"");
	put_label(&t, v->ifname);
	put(&t, "\"} %" PRIu64 "\n", v->sources);
	put(&t, "# HELP tcpdrop_top_dry_run 1 when nothing is dropped (--dry-run): the dropped "
	    "counters count what would have been.\n# TYPE tcpdrop_top_dry_run gauge\n"
	    "tcpdrop_top_dry_run{ifname=\"");
	put_label(&t, v->ifname);
	put(&t, "\"} %d\n", v->dry_run);
	put(&t, "# HELP tcpdrop_top_info What is watched: the interface, the XDP mode, the ports "
	    "and the version of tcpdrop-top.\n# TYPE tcpdrop_top_info gauge\n"
	    "tcpdrop_top_info{ifname=\"");
	put_label(&t, v->ifname);
	put(&t, "\",mode=\"");
	put_label(&t, v->mode);
	put(&t, "\",ports=\"");
	put_label(&t, v->ports);
	put(&t, "\",version=\"%s\"} 1\n", TCPDROP_VERSION);
	if (len && t.used >= len)
		buf[len - 1] = '\0';
	return t.used;
}

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

void metrics_values_of(struct metrics_values *v, const struct run_view *r)
{
	*v = (struct metrics_values){
		.ifname = r->watch.ifname,
		.mode = r->watch.native ? "native" : "generic",
		.ports = r->watch.ports,
		.dry_run = r->watch.dry_run,
		.sources = r->model->sources.done.entries,
	};
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
