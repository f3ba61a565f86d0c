// SPDX-License-Identifier: GPL-2.0
#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/cli/cli.h"
#include "tui/lib/clock.h"
#include "tui/view/draw.h"
#include "tui/view/keys.h"
#include "tui/view/screen.h"
#include "tui/view/tui.h"

/* Before anything is loaded: the memory it needs, and a terminal it can use. */
static int tui_prepare(void *out, const struct output_setup *s, struct error *e)
{
	struct tui *t = out;

	(void)s;
	memset(t, 0, sizeof(*t));
	t->prompt = malloc(PORTS_TEXT_MAX + 1);
	if (!t->prompt || droplog_init(&t->frozen_log))
		return error_set(e, -ENOMEM, "out of memory");
	t->prompt[0] = '\0';
	return screen_usable(e);
}

static void tui_release(void *out, const struct run_view *ran)
{
	struct tui *t = out;

	(void)ran;
	droplog_free(&t->frozen_log);
	free(t->prompt);
	t->prompt = NULL;
	names_free(t->names);
	t->names = NULL;
}

static const struct model *model_of(const struct tui *t)
{
	return run_view(t->run)->model;
}

/* The drop log the screen shows: live, or frozen while paused. */
static const struct droplog *tui_log(const struct tui *t)
{
	return t->paused ? &t->frozen_log : &model_of(t)->log;
}

/* Drops that came in since the pause. */
static uint64_t tui_pending(const struct tui *t)
{
	return t->paused ? model_of(t)->log.pushed - t->frozen_log.pushed : 0;
}

/* g's next grouping: by owner only with a location database to say who owns what. */
static enum group_by next_grouping(const struct sources *s)
{
	enum group_by next = (s->by + 1) % GROUP_NR;

	return !s->location && next >= GROUP_ASN ? GROUP_ADDRESS : next;
}

static void take_picture(struct tui *t, uint64_t now)
{
	const struct model *m = model_of(t);
	struct picture *p = &t->picture;

	p->stats = m->stats;
	p->history = m->history;
	p->by = m->sources.done.by;
	p->owners = m->sources.location != NULL;
	p->ntop = sources_top(&m->sources, t->sort, p->top, PICTURE_TOP_MAX);
	p->untracked_drops = sources_untracked_drops(&m->sources,
						     m->stats.total.v[TCPDROP_DROPPED]);
	memcpy(p->ports, m->ports.top, sizeof(p->ports));
	p->nports = m->ports.ntop;
	p->taken_ns = now;
}

/* The drop log's rows on this screen (at least one). */
static size_t log_rows(void)
{
	struct layout l = layout_for(LINES, COLS);

	return l.log_rows > 1 ? l.log_rows : 1;
}

/* Scrolled back as far as it goes, the oldest drop sits on the last row: a full last page. */
static size_t max_scroll(const struct tui *t)
{
	size_t count = droplog_count(tui_log(t));

	return count > log_rows() ? count - log_rows() : 0;
}

static void scroll_by(struct tui *t, long delta)
{
	long target = (long)t->scroll + delta;

	if (target < 0)
		target = 0;
	t->scroll = (size_t)target > max_scroll(t) ? max_scroll(t) : (size_t)target;
}

static int page_rows(void)
{
	return log_rows() > 1 ? log_rows() - 1 : 1;
}

static int apply(struct tui *t, enum action a, uint64_t now, struct error *e)
{
	struct run *r = t->run;
	int err;

	if (t->help && a != ACTION_QUIT && a != ACTION_RESIZE) {
		t->help = false;	/* any key closes help, and does nothing else */
		return 0;
	}
	switch (a) {
	case ACTION_QUIT:
	case ACTION_CLOSE:
		run_quit(r);
		break;
	case ACTION_HELP:
		t->help = true;
		break;
	case ACTION_PAUSE:
		t->paused = !t->paused;
		if (t->paused)
			droplog_copy(&t->frozen_log, &model_of(t)->log);
		else
			take_picture(t, now);	/* catch up at once */
		break;
	case ACTION_CLEAR:
		err = run_clear(r, now, e);
		if (err)
			return err;
		if (t->paused)
			droplog_copy(&t->frozen_log, &model_of(t)->log);
		t->scroll = 0;
		take_picture(t, now);
		break;
	case ACTION_SORT:
		t->sort = (t->sort + 1) % SORT_NR;
		/* A live picture takes the new top rows from the whole table; a frozen one can
		 * only re-sort the rows it holds. */
		if (t->paused)
			sources_sort(t->picture.top, t->picture.ntop, t->sort);
		else
			take_picture(t, now);
		break;
	case ACTION_GROUP:
		/* The rows by the new grouping come with the next complete read of the table;
		 * a frozen picture keeps its own until it is resumed. */
		run_group_by(r, next_grouping(&model_of(t)->sources));
		break;
	case ACTION_NAMES:
		/* The resolver is set up the first time names are asked for: until then no
		 * question is ever sent. */
		t->show_names = !t->show_names;
		if (t->show_names && !t->names && !t->names_why[0])
			t->names = names_new(t->names_why, sizeof(t->names_why));
		break;
	case ACTION_SLOWER:
	case ACTION_FASTER:
		run_set_interval(r, keys_next_interval(run_view(r)->interval_s,
						       a == ACTION_SLOWER ? +1 : -1), now);
		break;
	case ACTION_OLDER:
		scroll_by(t, 1);
		break;
	case ACTION_NEWER:
		scroll_by(t, -1);
		break;
	case ACTION_PAGE_OLDER:
		scroll_by(t, page_rows());
		break;
	case ACTION_PAGE_NEWER:
		scroll_by(t, -page_rows());
		break;
	case ACTION_NEWEST:
		t->scroll = 0;
		break;
	case ACTION_OLDEST:
		t->scroll = max_scroll(t);
		break;
	case ACTION_PORTS:
		/* The set as it is, whole, to edit: never the title's short form. */
		t->prompting = true;
		t->prompt_cut = false;
		t->prompt_len = ports_format(&run_view(r)->watch.port_set, t->prompt,
					     PORTS_TEXT_MAX + 1);
		t->prompt_error[0] = '\0';
		break;
	case ACTION_RESIZE:
	case ACTION_NONE:
		break;
	}
	return 0;
}

/* A reader scrolled back keeps looking at the same drops while new ones arrive on top. */
static void keep_scrolled_view(struct tui *t)
{
	uint64_t pushed = tui_log(t)->pushed;

	if (t->scroll && pushed > t->log_seen)
		scroll_by(t, pushed - t->log_seen);
	if (t->scroll > max_scroll(t))	/* the screen grew: fill it */
		t->scroll = max_scroll(t);
	t->log_seen = pushed;
}

static int tui_open(void *out, struct run *r, struct error *e)
{
	struct tui *t = out;

	t->run = r;
	take_picture(t, run_view(r)->start_ns);
	if (screen_open())
		return error_set(e, -ENOTTY, "cannot use this terminal (TERM=%s): try "
				 "--json", getenv("TERM") ? getenv("TERM") : "unset");
	/* Keys are read as they come; the loop's poll() does the waiting. */
	nodelay(stdscr, TRUE);
	t->dirty = true;
	return 0;
}

/* Typed or pasted past what any set needs: the list is no longer what was given. */
static void prompt_too_long(struct tui *t)
{
	snprintf(t->prompt_error, sizeof(t->prompt_error), "too long: more than %d characters; "
		 "^U clears", PORTS_TEXT_MAX);
}

/* Enter: the typed set replaces the watched one at once, or the prompt says why not. */
static void prompt_apply(struct tui *t)
{
	struct error refused = {};
	struct port_set ports;
	char why[128];

	if (t->prompt_cut) {
		prompt_too_long(t);
		return;
	}
	if (ports_parse(t->prompt, &ports, why, sizeof(why))) {
		snprintf(t->prompt_error, sizeof(t->prompt_error), "%s", why);
		return;
	}
	if (run_set_ports(t->run, &ports, &refused)) {
		/* The old set stays: the run goes on. */
		snprintf(t->prompt_error, sizeof(t->prompt_error), "%s", refused.msg);
		return;
	}
	t->prompting = false;
}

static void prompt_key(struct tui *t, int key)
{
	size_t len = t->prompt_len;

	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		prompt_apply(t);
		return;
	case 27:	/* Esc */
		t->prompting = false;
		return;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			t->prompt[--t->prompt_len] = '\0';
		break;
	case 21:	/* Ctrl-U */
		t->prompt[0] = '\0';
		t->prompt_len = 0;
		t->prompt_cut = false;
		t->prompt_error[0] = '\0';
		break;
	default:
		if (key < ' ' || key >= 127)
			return;
		if (len >= PORTS_TEXT_MAX) {
			t->prompt_cut = true;
			prompt_too_long(t);
			return;
		}
		t->prompt[len] = key;
		t->prompt[++t->prompt_len] = '\0';
		return;
	}
}

static int tui_input(void *out, struct run *r, uint64_t now, struct error *e)
{
	struct tui *t = out;
	int key, err;

	while (!run_view(r)->quitting && (key = getch()) != ERR) {
		t->dirty = true;
		if (t->prompting && key != KEY_RESIZE) {
			if (!layout_for(LINES, COLS).too_small) {
				prompt_key(t, key);
				continue;
			}
			/* The too-small screen hides the prompt: the key does what it does there
			 * (q quits), and the unseen prompt closes, as Esc would. */
			t->prompting = false;
		}
		err = apply(t, keys_action(key), now, e);
		if (err)
			return err;
		t->dirty = true;
	}
	return 0;
}

static int tui_sampled(void *out, struct run *r, uint64_t now, struct error *e)
{
	struct tui *t = out;

	(void)r;
	(void)e;
	if (!t->paused)
		take_picture(t, now);
	t->dirty = true;	/* the title's uptime and the paused count move on */
	return 0;
}

/*
 * The names of the source rows on the screen, asked for as they show (never for a trusted
 * source of --except, nor for a network or an owner): a name not known yet shows as its
 * address, and the frame that follows its answer shows it.
 */
static void name_rows(struct tui *t, struct frame *f)
{
	const struct options *opts = run_options(t->run);
	uint64_t now = monotonic_ns();

	for (size_t i = 0; i < t->picture.ntop && i < DRAW_SOURCES_MAX; i++) {
		const struct source_row *r = &t->picture.top[i];

		if ((int)i >= f->layout.sources_rows || r->prefix ||
		    (r->family != 4 && r->family != 6) ||
		    except_contains(&opts->excepts, r->family, r->addr))
			continue;
		f->names[i] = names_get(t->names, r->family, r->addr, now);
	}
}

/* One frame: the layout for the screen as it is now, and all the rest draw() shows. */
static void draw_frame(struct tui *t)
{
	const struct run_view *v = run_view(t->run);
	struct frame f = {
		.picture = &t->picture,
		.watch = &v->watch,
		.log = tui_log(t),
		.pending = tui_pending(t),
		.start_ns = v->start_ns,
		.realtime_offset_ns = v->model->realtime_offset_ns,
		.interval_s = v->interval_s,
		.sort = t->sort,
		.scroll = t->scroll,
		.paused = t->paused,
		.help = t->help,
		.prompting = t->prompting,
		.prompt = t->prompt,
		.prompt_len = t->prompt_len,
		.prompt_error = t->prompt_error,
		.reload_note = monotonic_ns() < t->reload_until_ns ? t->reload_note : NULL,
		.reload_warn = t->reload_warn,
		.show_names = t->show_names,
	};
	char status[128];
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	f.layout = layout_for(rows, cols);
	if (t->show_names) {
		f.names_why = t->names ? NULL : t->names_why;
		name_rows(t, &f);
	}
	/* -w: how many drops the file has, and how many not, as of the counts on the screen. */
	run_status(t->run, &t->picture.stats.since_start, status, sizeof(status));
	f.status = status;
	draw(&f);
}

static int tui_tick(void *out, struct run *r, uint64_t now, struct error *e)
{
	struct tui *t = out;

	(void)r;
	(void)e;
	if (t->show_names && names_process(t->names))
		t->dirty = true;	/* a name came: show it */
	if (t->reload_until_ns && now >= t->reload_until_ns) {
		t->reload_until_ns = 0;	/* the reload's note has been read: gone */
		t->dirty = true;
	}
	if (t->dirty) {
		keep_scrolled_view(t);
		draw_frame(t);
		t->dirty = false;
	}
	return 0;
}

static int tui_close(void *out, struct run *r, bool failed, struct error *e)
{
	(void)out;
	(void)r;
	(void)failed;
	(void)e;
	screen_close();
	return 0;
}

/* A reload shows on the key bar for TUI_RELOAD_NOTE_NS: what changed, or why it was refused. */
#define TUI_RELOAD_NOTE_NS	5000000000ULL

static int tui_reloaded(void *out, struct run *r, const struct reload_report *rep,
			struct error *e)
{
	struct tui *t = out;

	(void)r;
	(void)e;
	if (!rep->ok)
		snprintf(t->reload_note, sizeof(t->reload_note), "reload refused: %s", rep->error);
	else
		snprintf(t->reload_note, sizeof(t->reload_note), "reloaded: %s%s%s",
			 rep->changed[0] ? rep->changed : "nothing changed",
			 rep->restart[0] ? "; a restart applies " : "", rep->restart);
	t->reload_warn = !rep->ok || rep->restart[0];
	t->reload_until_ns = monotonic_ns() + TUI_RELOAD_NOTE_NS;
	t->dirty = true;
	return 0;
}

const struct output_ops tui_output = {
	.prepare = tui_prepare,
	.open = tui_open,
	.input = tui_input,
	.sampled = tui_sampled,
	.reloaded = tui_reloaded,
	.tick = tui_tick,
	.close = tui_close,
	.release = tui_release,
	.input_fd = STDIN_FILENO,
};
