// libedit (NetBSD editline) for the REPL: <histedit.h> plus non-variadic wrappers, since Swift cannot call the
// variadic el_set() and history() directly.
#ifndef SPOOR_CLIBEDIT_SHIM_H
#define SPOOR_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <histedit.h>

/// The function libedit calls for the prompt text.
typedef char *(*spoor_el_prompt_function)(EditLine *);
/// An editor function bound to a key: returns one of the CC_* codes.
typedef unsigned char (*spoor_el_key_function)(EditLine *, int);

/// The C library's stdin and stderr streams (Swift 6 refuses to read the global variables).
static inline FILE *spoor_standard_input(void) { return stdin; }
static inline FILE *spoor_standard_error(void) { return stderr; }

static inline int spoor_el_set_prompt(EditLine *el, spoor_el_prompt_function function) {
    return el_set(el, EL_PROMPT, function);
}

static inline int spoor_el_set_client_data(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *spoor_el_client_data(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

static inline int spoor_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int spoor_el_set_history(EditLine *el, History *history_) {
    return el_set(el, EL_HIST, history, history_);
}

static inline int spoor_el_add_function(EditLine *el, const char *name, const char *help,
    spoor_el_key_function function) {
    return el_set(el, EL_ADDFN, name, help, function);
}

static inline int spoor_el_bind(EditLine *el, const char *key, const char *name) {
    return el_set(el, EL_BIND, key, name, (const char *)NULL);
}

/// Turns ISIG off while editing, so that Ctrl-C reaches the editor as a key instead of raising SIGINT.
static inline int spoor_el_keep_interrupt_key(EditLine *el) {
    return el_set(el, EL_SETTY, "-d", "-isig", (const char *)NULL);
}

static inline int spoor_history_set_size(History *history_, int size) {
    HistEvent event;
    return history(history_, &event, H_SETSIZE, size);
}

static inline int spoor_history_set_unique(History *history_, int unique) {
    HistEvent event;
    return history(history_, &event, H_SETUNIQUE, unique);
}

static inline int spoor_history_enter(History *history_, const char *entry) {
    HistEvent event;
    return history(history_, &event, H_ENTER, entry);
}

#endif
