/*
 * prompt.h: the input line.  prompt.c owns GNU readline: it installs the
 * callback interface with every hook swapped in one place (and restored on
 * prompt_free()), feeds readline the bytes the screen reads, draws the
 * line into a curses window, completes commands, and loads and saves the
 * history ($XDG_STATE_HOME/sockscope/history, else
 * ~/.local/state/sockscope/history).
 */
#ifndef SOCKSCOPE_PROMPT_H
#define SOCKSCOPE_PROMPT_H

#include <curses.h>

/*
 * Called for each line the user finishes, with the line (malloc'd; the
 * callee frees it) and its length (it may contain NUL bytes only if typed
 * with quoted-insert; treat it as bytes).  line is NULL when the user
 * pressed Ctrl-D on an empty line.
 */
typedef void prompt_line_fn(char *line, size_t len, void *arg);
/* Called with text readline would have printed (a completion listing):
 * several lines, no trailing newline; the screen shows it as a message. */
typedef void prompt_message_fn(const char *text, void *arg);

/* Which finished lines the history file keeps (--history); every line is
 * kept in memory for this run either way.  Both are bounded: at most 1000
 * entries and 256 KiB. */
enum prompt_history {
	PROMPT_HISTORY_COMMANDS,	/* default: commands, not lines sent
					   to the peer (nor /send, /hex) */
	PROMPT_HISTORY_ALL,		/* every line */
	PROMPT_HISTORY_NONE		/* the file is not written */
};
/* Set before prompt_init(). */
void prompt_set_history(enum prompt_history mode);

/* Install readline on the callback interface; load the history.  A
 * history file that is not a regular file (a FIFO, a device) is neither
 * read nor written; the message callback says so. */
void prompt_init(prompt_line_fn *fn, prompt_message_fn *msg, void *arg);
/* Save the history, remove the handler, restore readline's hooks.  Safe to
 * call twice. */
void prompt_free(void);

/* Change the prompt text (e.g. "#1> "); takes effect at the next draw. */
void prompt_set(const char *prompt);
/* Empty the line (Ctrl-C on a non-empty line), wherever the cursor is;
 * the text goes to the kill ring, so Ctrl-Y brings it back.  Call only
 * when prompt_busy() is 0. */
void prompt_clear(void);
/* Feed one byte read from the terminal to readline. */
void prompt_feed(unsigned char c);
/* Feed a special key that readline should see (KEY_LEFT, KEY_RIGHT,
 * KEY_UP, KEY_DOWN, KEY_HOME, KEY_END, KEY_DC, KEY_BACKSPACE; also
 * KEY_ENTER, and Ctrl- or Alt-Left/Right where terminfo names them) as the
 * escape sequence readline binds for it.  Returns 0, or -1 if not one of
 * those. */
int prompt_feed_key(int key);
/* The line as typed so far (len in *len). */
const char *prompt_buffer(size_t *len);
/* Nonzero if readline is in the middle of something that wants the next
 * key (a multi-key sequence, a search, a completion listing). */
int prompt_busy(void);

/*
 * Draw the prompt and the line into w (one row, the whole width), scrolled
 * horizontally so the cursor is visible; every byte drawn through the safe
 * units of textwidth.h.  Returns the cursor column, for wmove().
 */
int prompt_draw(WINDOW *w);

/* Nonzero once readline changed the line or the prompt since the last
 * prompt_draw() (so the screen needs a redraw). */
int prompt_dirty(void);

#endif
