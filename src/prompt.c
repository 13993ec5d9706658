/*
 * prompt.c: the input line.  Owns GNU readline's global state: every hook
 * is swapped in prompt_hooks_install() and put back by prompt_free(), like
 * gdb's tui_setup_io().  Called by ui.c: prompt_init() once curses runs,
 * prompt_feed() and prompt_feed_key() for each key it reads, prompt_draw()
 * on each redraw, prompt_free() on every way out.
 *
 * Readline runs on its callback interface and never touches the terminal:
 * curses owns the modes (prep/deprep are no-ops), the bytes the screen
 * reads go through a queue that our rl_getc_function pops, redisplay only
 * marks the line dirty, rl_outstream is /dev/null, and prompt_draw() draws
 * rl_display_prompt and rl_line_buffer through textwidth.h, so no byte
 * typed or pasted reaches the terminal raw.
 *
 * Readline reads one byte per rl_callback_read_char() on every path we
 * leave it: multi-key sequences, searches, quoted-insert and numeric
 * arguments keep their state between calls.  The paths that would read in
 * a loop inside one call are shut: bracketed paste is off and its markers
 * are bound to a no-op (the pasted bytes arrive as typed keys), and the
 * completion listing goes to the message callback, so no "--More--" or
 * "Display all?" question waits for a key.  prompt_run() never calls
 * readline with an empty queue; should readline still ask for a byte the
 * queue does not hold inside one call, getc returns EOF, which can only
 * end that inner read (readline aborts the key sequence), not the line.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <readline/readline.h>
#include <readline/history.h>

#include "sockscope/cmd.h"
#include "sockscope/prompt.h"
#include "sockscope/textesc.h"
#include "sockscope/textwidth.h"
#include "sockscope/util.h"

/* Entries kept in the history, in memory and in the file. */
#define PROMPT_HISTORY_MAX 1000

/* Bytes the history's lines may take together, in memory and in the file
 * (a bound like the count: a history of big pastes stays small). */
#define PROMPT_HISTORY_BYTES (256 * 1024)

/* Longer lines (a big paste) are sent but not kept in the history. */
#define PROMPT_HISTORY_LINE_MAX (4 * 1024)

/* Calls to rl_callback_read_char() that may take no byte before we give up
 * on the queue (a guard against a readline state we did not foresee). */
#define PROMPT_STALL_MAX 16

/* The bracketed-paste markers, bound to a no-op. */
#define PROMPT_PASTE_BEGIN "\033[200~"
#define PROMPT_PASTE_END "\033[201~"

/* The Delete key as prompt_feed_key() sends it. */
#define PROMPT_KEY_DELETE "\033[3~"

/* Readline variables we set, and why.  Forced ones are set after
 * ~/.inputrc is read; the others are defaults it may change. */
static const struct prompt_var {
	const char	*name;
	const char	*value;
	int		 force;
} prompt_vars[] = {
	/* rl_ding() would write a BEL to the terminal. */
	{ "bell-style", "none", 1 },
	/* Our getc cannot wait for the end of a paste. */
	{ "enable-bracketed-paste", "off", 1 },
	/* Bytes >= 0x80 are text to send, never Meta-something, in any
	 * locale: the line is drawn escaped where they are not printable. */
	{ "input-meta", "on", 1 },
	{ "convert-meta", "off", 1 },
	{ "output-meta", "on", 1 },
	/* With no bell, a first Tab that only beeps would look dead. */
	{ "show-all-if-ambiguous", "on", 0 },
};
#define PROMPT_NVARS (sizeof prompt_vars / sizeof prompt_vars[0])

/* Key sequences we bind.  prompt_free() puts back what they were bound
 * to; one that was unbound keeps ours (see prompt_settings_restore()). */
static int	prompt_ignore_key(int, int);
static const struct prompt_bind {
	const char		*seq;
	rl_command_func_t	*fn;
	int			 if_unbound;
} prompt_binds[] = {
	{ PROMPT_PASTE_BEGIN, prompt_ignore_key, 0 },
	{ PROMPT_PASTE_END, prompt_ignore_key, 0 },
	{ PROMPT_KEY_DELETE, rl_delete, 1 },
	/* Keypad Enter where terminfo has no kent (screen, tmux). */
	{ "\033OM", rl_newline, 1 },
};
#define PROMPT_NBINDS (sizeof prompt_binds / sizeof prompt_binds[0])

/* Keys curses knows only by terminfo extended names, as readline's
 * sequences: Ctrl- and Alt-arrows move by words. */
static const struct prompt_xkey {
	const char	*cap;
	const char	*seq;
} prompt_xkeys[] = {
	{ "kLFT5", "\033b" },
	{ "kRIT5", "\033f" },
	{ "kLFT3", "\033b" },
	{ "kRIT3", "\033f" },
};
#define PROMPT_NXKEYS (sizeof prompt_xkeys / sizeof prompt_xkeys[0])

/* The keymaps we bind in and look for quoted-insert in. */
#define PROMPT_NMAPS 5

/* Readline's state before prompt_init(). */
struct prompt_saved {
	const char		*readline_name;
	int			 catch_signals;
	int			 catch_sigwinch;
	int			 change_environment;
	rl_vintfunc_t		*prep_term;
	rl_voidfunc_t		*deprep_term;
	rl_getc_func_t		*getc;
	rl_hook_func_t		*input_available;
	rl_voidfunc_t		*redisplay;
	FILE			*outstream;
	rl_completion_func_t	*attempted_completion;
	rl_compdisp_func_t	*display_matches;
	char			*vars[PROMPT_NVARS];	/* NULL: unknown */
	rl_command_func_t	*binds[PROMPT_NBINDS][PROMPT_NMAPS];
	int			 bound[PROMPT_NBINDS][PROMPT_NMAPS];
};

/*
 * Everything prompt.c keeps.  Readline's globals are prompt.c's too: other
 * files read the line through prompt_buffer() and change it through the
 * functions here, never through readline directly.
 */
static struct {
	int			 installed;
	prompt_line_fn		*fn;
	prompt_message_fn	*msg;
	void			*arg;
	char			*prompt;	/* wanted; set when readline allows */
	int			 dirty;

	/* Bytes fed and not yet read by readline: q[head..len). */
	unsigned char		*q;
	size_t			 head;
	size_t			 len;
	size_t			 cap;
	int			 running;	/* inside prompt_run() */
	int			 quoting;	/* quoted-insert wants a key */

	FILE			*null;		/* rl_outstream */
	int			 null_is_mem;
	char			*null_buf;
	size_t			 null_size;

	char			*histpath;	/* NULL: no history file */
	int			 added;		/* entries added this run */
	enum prompt_history	 histmode;
	char			**save;		/* this run's lines to save */
	size_t			 nsave;
	size_t			 savebytes;
	const char *const	*complete;	/* list being completed */

	size_t			 anchor;	/* first line byte drawn */
	int			 xcodes[PROMPT_NXKEYS];	/* 0: none */
	struct prompt_saved	 saved;
} prompt;

/* The keymaps in prompt_saved order. */
static Keymap
prompt_map(int i)
{
	switch (i) {
	case 0:
		return emacs_standard_keymap;
	case 1:
		return emacs_meta_keymap;
	case 2:
		return emacs_ctlx_keymap;
	case 3:
		return vi_insertion_keymap;
	default:
		return vi_movement_keymap;
	}
}

/* Curses owns the terminal modes: readline must not change them. */
static void
prompt_prep_term(int meta)
{
	(void)meta;
}

/* Curses owns the terminal modes: nothing to restore. */
static void
prompt_deprep_term(void)
{
}

/* Readline's getc: the next byte fed, or EOF if none is queued. */
static int
prompt_getc(FILE *f)
{
	(void)f;
	if (prompt.head == prompt.len)
		return EOF;
	/* The quoted key is the one read after quoted-insert ran. */
	prompt.quoting = 0;
	return prompt.q[prompt.head++];
}

/* Readline asks whether more input waits (it batches typed text). */
static int
prompt_input_available(void)
{
	return prompt.head < prompt.len;
}

/* Readline's redisplay: we draw in prompt_draw(); just note the change. */
static void
prompt_redisplay(void)
{
	prompt.dirty = 1;
}

/* The bracketed-paste markers do nothing: the paste arrives as keys. */
static int
prompt_ignore_key(int count, int key)
{
	(void)count;
	(void)key;
	return 0;
}

/* quoted-insert, noting that readline now waits for the key to insert. */
static int
prompt_quoted_insert(int count, int key)
{
	prompt.quoting = 1;
	return rl_quoted_insert(count, key);
}

/* Replace every single-key binding of from with to, in our keymaps. */
static void
prompt_rebind(rl_command_func_t *from, rl_command_func_t *to)
{
	Keymap	map;
	int	i, k;

	for (i = 0; i < PROMPT_NMAPS; i++) {
		map = prompt_map(i);
		for (k = 0; k < KEYMAP_SIZE; k++) {
			if (map[k].type == ISFUNC && map[k].function == from)
				map[k].function = to;
		}
	}
}

/* Send readline's completion listing to the message callback. */
static void
prompt_display_matches(char **matches, int n, int max)
{
	struct sbuf	b = { 0 };
	int		i;

	(void)max;
	for (i = 1; i <= n && matches[i] != NULL; i++) {
		if (i > 1)
			sbuf_adds(&b, "  ");
		sbuf_adds(&b, matches[i]);
	}
	if (b.p != NULL && prompt.msg != NULL)
		prompt.msg(b.p, prompt.arg);
	sbuf_free(&b);
	prompt.dirty = 1;
}

/* Generate the completions of text from the list being completed. */
static char *
prompt_complete_next(const char *text, int state)
{
	static size_t	 i, len;
	const char	*name;

	if (state == 0) {
		i = 0;
		len = strlen(text);
	}
	if (prompt.complete == NULL)
		return NULL;
	while ((name = prompt.complete[i]) != NULL) {
		i++;
		if (strncmp(name, text, len) == 0)
			return xstrdup(name);
	}
	return NULL;
}

/*
 * Complete a command name as the first word and a keyword as the second;
 * nothing else, and never file names: a plain line is data to send.
 */
static char **
prompt_complete(const char *text, int start, int end)
{
	const char	*s = rl_line_buffer;
	char		*name;
	int		 i, w;

	(void)end;
	rl_attempted_completion_over = 1;
	prompt.complete = NULL;
	if (s == NULL || s[0] != '/' || start < 0 || start > rl_end)
		return NULL;
	if (start == 0)
		prompt.complete = cmd_name_list();
	else {
		/* The text must be the second word: command, blanks, text. */
		for (w = 0; w < start && s[w] != ' ' && s[w] != '\t'; w++)
			/* nothing */;
		for (i = w; i < start && (s[i] == ' ' || s[i] == '\t'); i++)
			/* nothing */;
		if (w == start || i != start)
			return NULL;
		name = xstrndup(s, (size_t)w);
		prompt.complete = cmd_keywords(name);
		free(name);
	}
	if (prompt.complete == NULL)
		return NULL;
	return rl_completion_matches(text, prompt_complete_next);
}

/* Nonzero if a line sends bytes to the peer: plain text, "//text", and
 * the /send and /hex commands (what a password or AUTH line is). */
static int
prompt_line_is_data(const char *line)
{
	size_t	n;

	if (line[0] != '/' || line[1] == '/')
		return 1;
	n = strcspn(line, " \t");
	return (n == 5 && strncmp(line, "/send", 5) == 0) ||
	    (n == 4 && strncmp(line, "/hex", 4) == 0);
}

/* Drop the oldest history entries until the bytes bound holds. */
static void
prompt_history_bound(void)
{
	HIST_ENTRY	*h;

	while (history_length > 1 &&
	    history_total_bytes() > PROMPT_HISTORY_BYTES) {
		if ((h = remove_history(0)) != NULL)
			free_history_entry(h);
	}
}

/* Remember a line to append to the history file at exit (bounded like
 * the history: the oldest go first). */
static void
prompt_history_pend(const char *line, size_t len)
{
	prompt.save = xrealloc(prompt.save, (prompt.nsave + 1) *
	    sizeof *prompt.save);
	prompt.save[prompt.nsave++] = xstrdup(line);
	prompt.savebytes += len;
	while (prompt.nsave > 1 && (prompt.nsave > PROMPT_HISTORY_MAX ||
	    prompt.savebytes > PROMPT_HISTORY_BYTES)) {
		prompt.savebytes -= strlen(prompt.save[0]);
		free(prompt.save[0]);
		memmove(prompt.save, prompt.save + 1,
		    (prompt.nsave - 1) * sizeof *prompt.save);
		prompt.nsave--;
	}
}

/* Keep a finished line in the history unless it repeats the last one;
 * the file gets it only if --history allows (lines sent to the peer only
 * with --history=all). */
static void
prompt_history_add(const char *line, size_t len)
{
	HIST_ENTRY	*last;

	/* Too big, or would not survive the file's one line per entry. */
	if (len == 0 || len > PROMPT_HISTORY_LINE_MAX ||
	    memchr(line, '\n', len) != NULL)
		return;
	if (history_length > 0) {
		last = history_get(history_base + history_length - 1);
		if (last != NULL && strcmp(last->line, line) == 0)
			return;
	}
	add_history(line);
	prompt_history_bound();
	prompt.added++;
	if (prompt.histmode == PROMPT_HISTORY_ALL ||
	    (prompt.histmode == PROMPT_HISTORY_COMMANDS &&
	    !prompt_line_is_data(line)))
		prompt_history_pend(line, len);
}

/*
 * Readline finished a line (NULL: Ctrl-D on an empty line).  Readline
 * sets itself up for the next line when this returns: input keeps working
 * without installing the handler again.
 */
static void
prompt_on_line(char *line)
{
	size_t	len;

	prompt.anchor = 0;
	prompt.dirty = 1;
	prompt.quoting = 0;
	if (line == NULL) {
		if (prompt.fn != NULL)
			prompt.fn(NULL, 0, prompt.arg);
		return;
	}

	/* Readline's line is a C string: rl_insert_text() cannot insert a
	 * NUL, so even quoted-insert of Ctrl-@ leaves none in it. */
	len = strlen(line);
	prompt_history_add(line, len);
	if (prompt.fn != NULL)
		prompt.fn(line, len, prompt.arg);
	else
		free(line);
}

/* Give readline the wanted prompt, unless it is showing a message. */
static void
prompt_sync(void)
{
	if (!prompt.installed || prompt.prompt == NULL)
		return;
	if (rl_prompt != NULL && strcmp(rl_prompt, prompt.prompt) == 0)
		return;
	/* A search or an argument count shows in place of the prompt; the
	 * new prompt waits until that is over. */
	if (rl_display_prompt != rl_prompt)
		return;
	rl_set_prompt(prompt.prompt);
	prompt.dirty = 1;
}

/* Let readline read every queued byte, one rl_callback_read_char() each. */
static void
prompt_run(void)
{
	size_t	before;
	int	stalls = 0;

	if (!prompt.installed) {
		prompt.head = prompt.len = 0;
		return;
	}
	/* A byte fed from a line callback waits for the loop below. */
	if (prompt.running)
		return;
	prompt.running = 1;
	while (prompt.installed && prompt.head < prompt.len) {
		before = prompt.head;
		rl_callback_read_char();
		if (prompt.head != before)
			stalls = 0;
		else if (++stalls > PROMPT_STALL_MAX) {
			prompt.head = prompt.len;
			break;
		}
	}
	prompt.head = prompt.len = 0;
	prompt.running = 0;

	/* A memory stream in place of /dev/null must not grow. */
	if (prompt.null_is_mem && prompt.null != NULL)
		fseeko(prompt.null, 0, SEEK_SET);
	prompt_sync();
}

/* Queue n bytes for readline. */
static void
prompt_push(const void *p, size_t n)
{
	if (prompt.head == prompt.len)
		prompt.head = prompt.len = 0;
	if (prompt.len + n > prompt.cap) {
		prompt.cap = prompt.cap == 0 ? 64 : prompt.cap;
		while (prompt.len + n > prompt.cap)
			prompt.cap *= 2;
		prompt.q = xrealloc(prompt.q, prompt.cap);
	}
	memcpy(prompt.q + prompt.len, p, n);
	prompt.len += n;
}

/* The history file: $XDG_STATE_HOME/sockscope/history, else under ~. */
static char *
prompt_history_path(void)
{
	const char	*dir;
	struct passwd	*pw;

	/* The XDG spec says relative paths are to be ignored. */
	dir = getenv("XDG_STATE_HOME");
	if (dir != NULL && dir[0] == '/')
		return xasprintf("%s/sockscope/history", dir);
	dir = getenv("HOME");
	if ((dir == NULL || dir[0] == '\0') &&
	    (pw = getpwuid(getuid())) != NULL)
		dir = pw->pw_dir;
	if (dir == NULL || dir[0] == '\0')
		return NULL;
	return xasprintf("%s/.local/state/sockscope/history", dir);
}

/* Create the missing directories above path, mode 0700. */
static int
prompt_mkdirs(char *path)
{
	char	*p;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * Open the history file for reading without ever blocking: a FIFO or a
 * device planted there must not hang start-up.  Returns the descriptor,
 * -1 when there is no file, or -2 (and says so) when it is not a regular
 * file.
 */
static int
prompt_history_open(void)
{
	struct stat	sb;
	char		*msg, *q;
	int		 fd;

	fd = open(prompt.histpath, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		if (prompt.msg != NULL) {
			q = textesc_quote_str(prompt.histpath);
			msg = xasprintf("history file '%s' is not a regular "
			    "file: not used", q);
			prompt.msg(msg, prompt.arg);
			free(msg);
			free(q);
		}
		return -2;
	}
	return fd;
}

/*
 * Read the last PROMPT_HISTORY_BYTES of the history file into a list of
 * lines (malloc'd, NULL-terminated; the caller frees them).  Returns NULL
 * when there is no usable file; *refused is set for one that is not a
 * regular file (it must then not be written either).
 */
static char **
prompt_history_read(int *refused)
{
	char		*buf, **lines = NULL, *p, *nl;
	size_t		 n = 0, cap = PROMPT_HISTORY_BYTES + 1, count = 0;
	ssize_t		 r;
	off_t		 end;
	int		 fd, partial = 0;

	*refused = 0;
	fd = prompt_history_open();
	if (fd < 0) {
		*refused = fd == -2;
		return NULL;
	}
	end = lseek(fd, 0, SEEK_END);
	if (end > (off_t)PROMPT_HISTORY_BYTES) {
		/* Only the newest lines; the first one read may be cut. */
		lseek(fd, end - (off_t)PROMPT_HISTORY_BYTES, SEEK_SET);
		partial = 1;
	} else
		lseek(fd, 0, SEEK_SET);
	buf = xmalloc(cap);
	while (n < cap - 1 && ((r = read(fd, buf + n, cap - 1 - n)) > 0 ||
	    (r == -1 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	close(fd);
	buf[n] = '\0';

	p = buf;
	if (partial && (nl = memchr(p, '\n', n)) != NULL)
		p = nl + 1;
	while (p < buf + n) {
		nl = memchr(p, '\n', (size_t)(buf + n - p));
		if (nl != NULL)
			*nl = '\0';
		/* readline's timestamps ("#123") and blank lines are not
		 * entries; a NUL inside cuts the line there. */
		if (p[0] != '\0' && !(p[0] == '#' && p[1] >= '0' &&
		    p[1] <= '9')) {
			lines = xrealloc(lines, (count + 2) * sizeof *lines);
			lines[count++] = xstrdup(p);
			lines[count] = NULL;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	free(buf);
	return lines;
}

/* Free a list from prompt_history_read(). */
static void
prompt_history_free_lines(char **lines)
{
	size_t	i;

	for (i = 0; lines != NULL && lines[i] != NULL; i++)
		free(lines[i]);
	free(lines);
}

/* Load the history file, if there is one, within the bounds. */
static void
prompt_history_load(void)
{
	char	**lines;
	size_t	  i;
	int	  refused;

	using_history();
	stifle_history(PROMPT_HISTORY_MAX);
	prompt.added = 0;
	prompt.histpath = prompt_history_path();
	if (prompt.histpath != NULL) {
		lines = prompt_history_read(&refused);
		for (i = 0; lines != NULL && lines[i] != NULL; i++)
			add_history(lines[i]);
		prompt_history_free_lines(lines);
		prompt_history_bound();
		if (refused) {
			/* Never write to what is not ours to write. */
			free(prompt.histpath);
			prompt.histpath = NULL;
		}
	}
	using_history();
}

/*
 * Save the history: the file's lines (another sockscope may have added
 * some since we read it) plus this run's savable ones, the newest within
 * both bounds, written to a new file that then replaces the old one.
 * Errors are ignored: the screen is going.
 */
static void
prompt_history_save(void)
{
	char		**lines, *tmp, *real;
	size_t		  n = 0, i, first, bytes = 0;
	int		  refused, fd;
	FILE		 *f;

	if (prompt.histpath == NULL || prompt.nsave == 0)
		goto out;
	lines = prompt_history_read(&refused);
	if (refused) {
		prompt_history_free_lines(lines);
		goto out;
	}
	while (lines != NULL && lines[n] != NULL)
		n++;
	lines = xrealloc(lines, (n + prompt.nsave + 1) * sizeof *lines);
	for (i = 0; i < prompt.nsave; i++) {
		lines[n++] = prompt.save[i];
		prompt.save[i] = NULL;
	}
	lines[n] = NULL;
	/* The newest entries that fit both bounds. */
	first = n;
	while (first > 0 && n - first < PROMPT_HISTORY_MAX &&
	    bytes + strlen(lines[first - 1]) + 1 <= PROMPT_HISTORY_BYTES) {
		bytes += strlen(lines[first - 1]) + 1;
		first--;
	}

	/* A symbolic link (dotfiles kept elsewhere) stays one: replace the
	 * file it names. */
	if ((real = realpath(prompt.histpath, NULL)) != NULL) {
		free(prompt.histpath);
		prompt.histpath = real;
	}
	if (prompt_mkdirs(prompt.histpath) == 0) {
		tmp = xasprintf("%s.%ld.tmp", prompt.histpath, (long)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd != -1 && (f = fdopen(fd, "w")) != NULL) {
			for (i = first; i < n; i++)
				fprintf(f, "%s\n", lines[i]);
			if (fclose(f) == 0)
				rename(tmp, prompt.histpath);
			else
				unlink(tmp);
		} else if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
	}
	prompt_history_free_lines(lines);
out:
	for (i = 0; i < prompt.nsave; i++)
		free(prompt.save[i]);
	free(prompt.save);
	prompt.save = NULL;
	prompt.nsave = prompt.savebytes = 0;
}

/* Choose which lines the history file keeps (main.c, before the screen). */
void
prompt_set_history(enum prompt_history mode)
{
	prompt.histmode = mode;
}

/* Open where readline's output goes: /dev/null, else a memory stream. */
static FILE *
prompt_null_open(void)
{
	FILE	*f;
	int	 fd;

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd != -1) {
		if ((f = fdopen(fd, "w")) != NULL) {
			prompt.null_is_mem = 0;
			return f;
		}
		close(fd);
	}
	f = open_memstream(&prompt.null_buf, &prompt.null_size);
	if (f == NULL)
		util_fatal("cannot open /dev/null for readline: %s",
		    strerror(errno));
	prompt.null_is_mem = 1;
	return f;
}

/* Swap in every readline hook, saving the old ones (gdb tui_setup_io). */
static void
prompt_hooks_install(void)
{
	struct prompt_saved	*sv = &prompt.saved;

	sv->readline_name = rl_readline_name;
	sv->catch_signals = rl_catch_signals;
	sv->catch_sigwinch = rl_catch_sigwinch;
	sv->change_environment = rl_change_environment;
	sv->prep_term = rl_prep_term_function;
	sv->deprep_term = rl_deprep_term_function;
	sv->getc = rl_getc_function;
	sv->input_available = rl_input_available_hook;
	sv->redisplay = rl_redisplay_function;
	sv->outstream = rl_outstream;
	sv->attempted_completion = rl_attempted_completion_function;
	sv->display_matches = rl_completion_display_matches_hook;

	/* "$if sockscope" in ~/.inputrc. */
	rl_readline_name = "sockscope";
	/* Signals and resizes are the loop's: they come by the self-pipe. */
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	/* Exporting LINES and COLUMNS would stop curses seeing resizes. */
	rl_change_environment = 0;
	rl_prep_term_function = prompt_prep_term;
	rl_deprep_term_function = prompt_deprep_term;
	rl_getc_function = prompt_getc;
	rl_input_available_hook = prompt_input_available;
	rl_redisplay_function = prompt_redisplay;
	rl_outstream = prompt.null;
	rl_attempted_completion_function = prompt_complete;
	rl_completion_display_matches_hook = prompt_display_matches;
	/* Not rl_event_hook: it makes readline read stdin behind our back. */
}

/* Set our readline variables, forced or default ones, saving the old. */
static void
prompt_vars_install(int force)
{
	struct prompt_saved	*sv = &prompt.saved;
	const char		*v;
	size_t			 i;

	for (i = 0; i < PROMPT_NVARS; i++) {
		if (prompt_vars[i].force != force)
			continue;
		v = rl_variable_value(prompt_vars[i].name);
		sv->vars[i] = v != NULL ? xstrdup(v) : NULL;
		if (v != NULL)
			rl_variable_bind(prompt_vars[i].name,
			    prompt_vars[i].value);
	}
}

/* Force our readline variables and key bindings, saving the old ones;
 * after the handler is installed, so ~/.inputrc cannot undo them. */
static void
prompt_settings_install(void)
{
	struct prompt_saved	*sv = &prompt.saved;
	rl_command_func_t	*fn;
	size_t			 i;
	int			 m, type;

	prompt_vars_install(1);
	for (i = 0; i < PROMPT_NBINDS; i++) {
		for (m = 0; m < PROMPT_NMAPS; m++) {
			type = ISFUNC;
			fn = rl_function_of_keyseq(prompt_binds[i].seq,
			    prompt_map(m), &type);
			sv->binds[i][m] = type == ISFUNC ? fn : NULL;
			sv->bound[i][m] = 0;
			/* Only where typing happens, and only over nothing
			 * or a plain function, never over a prefix. */
			if (m == 1 || m == 2 || m == 4)
				continue;
			if (type != ISFUNC ||
			    (prompt_binds[i].if_unbound && fn != NULL))
				continue;
			if (rl_bind_keyseq_in_map(prompt_binds[i].seq,
			    prompt_binds[i].fn, prompt_map(m)) == 0)
				sv->bound[i][m] = 1;
		}
	}
	prompt_rebind(rl_quoted_insert, prompt_quoted_insert);
}

/* Put back the readline variables and key bindings we changed. */
static void
prompt_settings_restore(void)
{
	struct prompt_saved	*sv = &prompt.saved;
	size_t			 i;
	int			 m;

	prompt_rebind(prompt_quoted_insert, rl_quoted_insert);
	for (i = 0; i < PROMPT_NBINDS; i++) {
		for (m = 0; m < PROMPT_NMAPS; m++) {
			/* A sequence that was unbound keeps our binding:
			 * unbinding frees only the contents of the keymap
			 * our bind created (readline 8.2), leaking it. */
			if (sv->bound[i][m] && sv->binds[i][m] != NULL)
				rl_bind_keyseq_in_map(prompt_binds[i].seq,
				    sv->binds[i][m], prompt_map(m));
			sv->bound[i][m] = 0;
		}
	}
	for (i = 0; i < PROMPT_NVARS; i++) {
		if (sv->vars[i] != NULL)
			rl_variable_bind(prompt_vars[i].name, sv->vars[i]);
		free(sv->vars[i]);
		sv->vars[i] = NULL;
	}
}

/* Put back every readline hook saved by prompt_hooks_install(). */
static void
prompt_hooks_restore(void)
{
	struct prompt_saved	*sv = &prompt.saved;

	rl_readline_name = sv->readline_name;
	rl_catch_signals = sv->catch_signals;
	rl_catch_sigwinch = sv->catch_sigwinch;
	rl_change_environment = sv->change_environment;
	rl_prep_term_function = sv->prep_term;
	rl_deprep_term_function = sv->deprep_term;
	rl_getc_function = sv->getc;
	rl_input_available_hook = sv->input_available;
	rl_redisplay_function = sv->redisplay;
	rl_outstream = sv->outstream;
	rl_attempted_completion_function = sv->attempted_completion;
	rl_completion_display_matches_hook = sv->display_matches;
}

/* Find the curses key codes of prompt_xkeys in this terminal. */
static void
prompt_xkeys_find(void)
{
	const char	*str;
	size_t		 i;
	int		 code;

	for (i = 0; i < PROMPT_NXKEYS; i++) {
		prompt.xcodes[i] = 0;
		str = tigetstr(prompt_xkeys[i].cap);
		if (str == NULL || str == (char *)-1)
			continue;
		if ((code = key_defined(str)) >= KEY_MIN)
			prompt.xcodes[i] = code;
	}
}

/* Install readline on the callback interface; load the history. */
void
prompt_init(prompt_line_fn *fn, prompt_message_fn *msg, void *arg)
{
	if (prompt.installed)
		return;
	prompt.fn = fn;
	prompt.msg = msg;
	prompt.arg = arg;
	if (prompt.prompt == NULL)
		prompt.prompt = xstrdup("> ");
	prompt.null = prompt_null_open();
	prompt.head = prompt.len = 0;
	prompt.anchor = 0;
	prompt.quoting = 0;

	prompt_xkeys_find();
	prompt_hooks_install();
	prompt_vars_install(0);
	prompt_history_load();
	rl_callback_handler_install(prompt.prompt, prompt_on_line);
	prompt_settings_install();
	prompt.installed = 1;
	prompt.dirty = 1;
}

/* Save the history, remove the handler, restore readline's hooks. */
void
prompt_free(void)
{
	if (!prompt.installed)
		return;
	prompt.installed = 0;
	rl_callback_handler_remove();
	prompt_history_save();
	clear_history();
	prompt_settings_restore();
	prompt_hooks_restore();

	if (prompt.null != NULL)
		fclose(prompt.null);
	prompt.null = NULL;
	free(prompt.null_buf);
	prompt.null_buf = NULL;
	free(prompt.histpath);
	prompt.histpath = NULL;
	free(prompt.q);
	prompt.q = NULL;
	prompt.head = prompt.len = prompt.cap = 0;
	free(prompt.prompt);
	prompt.prompt = NULL;
	prompt.fn = NULL;
	prompt.msg = NULL;
}

/* Change the prompt text; takes effect at the next draw. */
void
prompt_set(const char *p)
{
	if (prompt.prompt != NULL && strcmp(prompt.prompt, p) == 0)
		return;
	free(prompt.prompt);
	prompt.prompt = xstrdup(p);
	prompt.dirty = 1;
	prompt_sync();
}

/* Empty the line, as Ctrl-C does in a shell; Ctrl-Y brings it back. */
void
prompt_clear(void)
{
	if (!prompt.installed || rl_line_buffer == NULL || rl_end == 0)
		return;
	rl_kill_full_line(1, 0);
	prompt.anchor = 0;
	prompt.dirty = 1;
}

/* Feed one byte read from the terminal to readline. */
void
prompt_feed(unsigned char c)
{
	prompt_push(&c, 1);
	prompt_run();
}

/* Feed a special key as the escape sequence readline binds for it. */
int
prompt_feed_key(int key)
{
	const char	*seq = NULL;
	size_t		 i;

	switch (key) {
	case KEY_LEFT:
		seq = "\033[D";
		break;
	case KEY_RIGHT:
		seq = "\033[C";
		break;
	case KEY_UP:
		seq = "\033[A";
		break;
	case KEY_DOWN:
		seq = "\033[B";
		break;
	case KEY_HOME:
		seq = "\033[H";
		break;
	case KEY_END:
		seq = "\033[F";
		break;
	case KEY_DC:
		seq = PROMPT_KEY_DELETE;
		break;
	case KEY_BACKSPACE:
		seq = "\177";
		break;
	case KEY_ENTER:
		seq = "\r";
		break;
	default:
		for (i = 0; i < PROMPT_NXKEYS; i++) {
			if (prompt.xcodes[i] != 0 && key == prompt.xcodes[i])
				seq = prompt_xkeys[i].seq;
		}
		if (seq == NULL)
			return -1;
		break;
	}
	/* The whole sequence at once: readline reads it one byte per call. */
	prompt_push(seq, strlen(seq));
	prompt_run();
	return 0;
}

/* The line as typed so far. */
const char *
prompt_buffer(size_t *len)
{
	if (!prompt.installed || rl_line_buffer == NULL) {
		*len = 0;
		return "";
	}
	*len = (size_t)rl_end;
	return rl_line_buffer;
}

/* Nonzero if readline waits for more keys to finish what it is doing. */
int
prompt_busy(void)
{
	if (!prompt.installed)
		return 0;
	if (prompt.quoting)
		return 1;
	return RL_ISSTATE(RL_STATE_MULTIKEY | RL_STATE_ISEARCH |
	    RL_STATE_NSEARCH | RL_STATE_SEARCH | RL_STATE_NUMERICARG |
	    RL_STATE_MOREINPUT | RL_STATE_VIMOTION | RL_STATE_CHARSEARCH |
	    RL_STATE_COMPLETING) != 0;
}

/* Nonzero once readline changed the line or the prompt. */
int
prompt_dirty(void)
{
	return prompt.dirty;
}

/* Columns of the unit of s[0..n) at i, 0 at the end. */
static int
prompt_unit_cols(const char *s, size_t n, size_t i)
{
	size_t	len;

	if (i >= n)
		return 0;
	return textwidth_unit(s + i, n - i, &len, NULL);
}

/*
 * Step back from unit start pos while the units passed, plus the one at
 * pos, fit in goal columns; return where that stops.  Each step is
 * constant time (textwidth_start()), so this costs O(goal).
 */
static size_t
prompt_back(const char *s, size_t n, size_t pos, int goal)
{
	size_t	q = pos, start, len;
	int	total, w;

	total = prompt_unit_cols(s, n, pos);
	while (q > 0) {
		start = textwidth_start(s, n, q - 1);
		w = textwidth_unit(s + start, n - start, &len, NULL);
		if (total + w > goal)
			break;
		total += w;
		q = start;
	}
	return q;
}

/*
 * The first byte of the line to draw so that the cursor at pt shows in
 * room columns.  The last column is kept for the cursor at the end or a
 * '>' mark, and the first for a '<' mark once the line is scrolled.  The
 * old anchor stays while the cursor is visible, so the cost is that of
 * the bytes typed since the last draw, never of the whole line.
 */
static size_t
prompt_scroll(const char *s, size_t n, size_t pt, int room)
{
	size_t	a;
	int	avail, c;

	a = textwidth_start(s, n, prompt.anchor < n ? prompt.anchor : n);
	/* A unit is at most 4 bytes per column: only a short line fits. */
	if (a > 0 && n <= 4 * (size_t)room &&
	    textwidth_cols(s, n) <= (size_t)room - 1)
		a = 0;
	if (pt < a)
		return prompt_back(s, n, pt, (room - 2) / 3);
	avail = room - (a > 0) - 1;
	c = (int)textwidth_cols(s + a, pt - a);
	if (c + prompt_unit_cols(s, n, pt) > avail)
		return prompt_back(s, n, pt, (room - 2) * 2 / 3);
	/* The end of a scrolled line has come close to the left edge (text
	 * deleted, or a shorter line from the history): show more of it. */
	if (a > 0 && pt == n && c < avail / 3)
		return prompt_back(s, n, pt, (room - 2) * 2 / 3);
	return a;
}

/* Draw units of s from i while they fit before column end; return the
 * columns used, the byte reached in *stop and the column of byte pt. */
static int
prompt_draw_units(WINDOW *w, const char *s, size_t n, size_t i, int end,
    attr_t attr, size_t pt, int *ptcol, size_t *stop)
{
	char	ub[32];
	size_t	len;
	int	col = 0, uw, plain;

	for (; i < n; i += len) {
		if (i == pt && ptcol != NULL)
			*ptcol = col;
		uw = textwidth_unit(s + i, n - i, &len, ub);
		if (col + uw > end)
			break;
		/* Printable units are their own bytes: ncursesw takes the
		 * UTF-8.  Escaped ones are reversed, so a pasted ESC is not
		 * mistaken for a typed "^[". */
		plain = strlen(ub) == len && memcmp(ub, s + i, len) == 0;
		if (plain)
			wattr_on(w, attr, NULL);
		else
			wattr_on(w, attr | A_REVERSE, NULL);
		waddnstr(w, ub, -1);
		wattr_off(w, attr | A_REVERSE, NULL);
		col += uw;
	}
	if (i >= n && i == pt && ptcol != NULL)
		*ptcol = col;
	if (stop != NULL)
		*stop = i;
	return col;
}

/* Draw the prompt and the line into w, scrolled to show the cursor. */
int
prompt_draw(WINDOW *w)
{
	const char	*ps, *s;
	size_t		 n, pt, stop;
	int		 width, pcols, room, lmark, avail, col, cx;

	prompt.dirty = 0;
	width = getmaxx(w);
	wmove(w, 0, 0);
	if (width <= 0)
		return 0;

	/* The prompt, or the message readline shows in its place (a search),
	 * in bold; it may take two thirds of the width at most. */
	ps = prompt.installed && rl_display_prompt != NULL ?
	    rl_display_prompt : (prompt.prompt != NULL ? prompt.prompt : "");
	pcols = prompt_draw_units(w, ps, strlen(ps), 0, width - width / 3,
	    A_BOLD, (size_t)-1, NULL, NULL);

	s = "";
	n = pt = 0;
	if (prompt.installed && rl_line_buffer != NULL) {
		s = rl_line_buffer;
		n = rl_end > 0 ? (size_t)rl_end : 0;
		pt = rl_point > 0 ? (size_t)rl_point : 0;
		if (pt > n)
			pt = n;
		pt = textwidth_start(s, n, pt);
	}
	room = width - pcols;
	if (room < 3) {
		wclrtoeol(w);
		return pcols < width ? pcols : width - 1;
	}

	prompt.anchor = prompt_scroll(s, n, pt, room);
	lmark = prompt.anchor > 0;
	avail = room - lmark - 1;
	if (lmark) {
		wattr_on(w, A_BOLD, NULL);
		waddch(w, '<');
		wattr_off(w, A_BOLD, NULL);
	}
	cx = -1;
	col = prompt_draw_units(w, s, n, prompt.anchor, avail, 0, pt, &cx,
	    &stop);
	if (cx < 0)
		cx = col;
	wclrtoeol(w);
	if (stop < n) {
		/* The window's last cell: waddch() returns ERR there, as
		 * the cursor cannot advance, but draws the mark. */
		wattr_on(w, A_BOLD, NULL);
		mvwaddch(w, 0, width - 1, '>');
		wattr_off(w, A_BOLD, NULL);
	}
	return pcols + lmark + cx;
}
