// SPDX-License-Identifier: GPL-2.0
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "tui/view/screen.h"

static bool open_now;
static bool utf8;
static int saved_stderr = -1;
static FILE *stderr_aside;
static attr_t attrs[ROLE_NR];

struct role_style {
	short fg, bg;
	attr_t color_attr;		/* added to the colour pair */
	attr_t mono_attr;		/* all there is without colour */
};

static const struct role_style styles[ROLE_NR] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_LABEL] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[ROLE_VALUE] = { -1, -1, A_BOLD, A_BOLD },
	[ROLE_PASS] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[ROLE_DROP] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[ROLE_WARN] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_NOTICE] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_HEADING] = { COLOR_YELLOW, -1, A_BOLD, A_UNDERLINE },
	[ROLE_STATUS] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
};

/* Puts stderr into an unlinked temporary file until screen_close() replays it. */
static void stderr_set_aside(void)
{
	fflush(stderr);
	stderr_aside = tmpfile();
	saved_stderr = stderr_aside ? dup(STDERR_FILENO) : -1;
	if (saved_stderr < 0 || dup2(fileno(stderr_aside), STDERR_FILENO) < 0) {
		if (stderr_aside)
			fclose(stderr_aside);
		stderr_aside = NULL;
	}
}

static void stderr_restore(void)
{
	char buf[4096];
	size_t n;

	if (!stderr_aside)
		return;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	rewind(stderr_aside);
	while ((n = fread(buf, 1, sizeof(buf), stderr_aside)) > 0)
		if (write(STDERR_FILENO, buf, n) < 0)
			break;
	fclose(stderr_aside);
	stderr_aside = NULL;
}

/* A crash must not leave the terminal raw and blank: restore it, then die as we would have. */
static void on_fatal_signal(int sig)
{
	if (open_now)
		endwin();
	if (saved_stderr >= 0)
		dup2(saved_stderr, STDERR_FILENO);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void setup_colors(void)
{
	const char *no_color = getenv("NO_COLOR");
	bool color = has_colors() && !(no_color && *no_color);

	if (color && start_color() == OK) {
		use_default_colors();
		for (int r = 1; r < ROLE_NR; r++) {
			init_pair(r, styles[r].fg, styles[r].bg);
			attrs[r] = COLOR_PAIR(r) | styles[r].color_attr;
		}
		return;
	}
	for (int r = 0; r < ROLE_NR; r++)
		attrs[r] = styles[r].mono_attr;
}

/* A terminfo string capability the terminal has: tigetstr() says (char *)-1 for "no such
 * string capability" and NULL for "absent". */
static bool has_string(const char *cap)
{
	const char *v = tigetstr(cap);

	return v && v != (const char *)-1 && *v;
}

int screen_usable(struct error *e)
{
	const char *term = getenv("TERM");
	bool usable;
	int err = 0;

	if (!term || !*term)
		return error_usage(e, -ENOTTY, "cannot use this terminal (TERM is not set): try "
				   "--json");
	/* Looked up apart from the screen newterm() makes later, and freed again. */
	if (setupterm(term, STDOUT_FILENO, &err) != OK)
		return error_usage(e, -ENOTTY, "cannot use this terminal (TERM=%s, which terminfo "
				   "does not know): try --json", term);
	/* The live view moves the cursor and clears the screen; dumb and hard-copy terminals
	 * can do neither, and would get the key bar alone, scrolling. */
	usable = has_string("cup") && has_string("clear");
	del_curterm(cur_term);
	if (!usable)
		return error_usage(e, -ENOTTY, "cannot use this terminal (TERM=%s, which cannot "
				   "move the cursor or clear the screen): try --json", term);
	return 0;
}

int screen_open(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT, SIGTRAP,
				     SIGSYS, SIGXCPU, SIGXFSZ };
	struct sigaction old;
	const char *codeset;

	setlocale(LC_ALL, "");
	codeset = nl_langinfo(CODESET);
	utf8 = codeset && !strcmp(codeset, "UTF-8");
	if (!newterm(NULL, stdout, stdin))
		return -1;
	stderr_set_aside();
	open_now = true;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		/* One already ignored stays so: -w ignores SIGXFSZ, to meet a file size limit as
		 * a failed write. */
		if (!sigaction(fatal[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		signal(fatal[i], on_fatal_signal);
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);	/* Esc quits: do not wait a second for a sequence that won't come */
	setup_colors();
	return 0;
}

void screen_close(void)
{
	if (!open_now)
		return;
	endwin();
	open_now = false;
	stderr_restore();
}

attr_t screen_attr(enum role role)
{
	return role < ROLE_NR ? attrs[role] : A_NORMAL;
}

bool screen_utf8(void)
{
	return utf8;
}
