/* What the two C files of linkflow's extension share: the leading fields of lexbor's node
   structs (see _lexbor.c) and a growing byte buffer. */

#ifndef LINKFLOW_LEXBOR_H
#define LINKFLOW_LEXBOR_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct lf_node lf_node;

struct lf_node {
    void *events;          /* lxb_dom_event_target_t */
    uintptr_t local_name;  /* the tag id; LXB_TAG__TEXT for a text node */
    uintptr_t prefix;
    uintptr_t ns;
    void *owner_document;
    lf_node *next;
    lf_node *prev;
    lf_node *parent;
    lf_node *first_child;
    lf_node *last_child;
    void *user;
    int type;              /* lxb_dom_node_type_t */
};

typedef struct {
    lf_node node;
    unsigned char *data;   /* lexbor_str_t */
    size_t length;
} lf_character_data;

/* The node after ``node`` in document order inside ``root`` (NULL past its last one). */
static inline lf_node *lf_next(lf_node *node, const lf_node *root) {
    if (node->first_child != NULL) {
        return node->first_child;
    }
    while (node != root && node->next == NULL) {
        node = node->parent;
    }
    return node == root ? NULL : node->next;
}

/* The tag id of text nodes, set by configure() (-1 until then). */
extern uintptr_t text_tag;

/* ---------------------------------------------------------------- a growing buffer */

#define KEPT_BYTES 65536 /* a buffer kept between calls gives back more than this */

typedef struct {
    char *data;
    size_t size;
    size_t capacity;
} buffer;

/* Room for ``needed`` bytes in all: 0, or -1 with MemoryError set. */
static inline int buffer_reserve(buffer *buf, size_t needed) {
    if (needed <= buf->capacity) {
        return 0;
    }
    size_t capacity = buf->capacity ? buf->capacity : 4096;
    while (capacity < needed) {
        capacity *= 2;
    }
    char *grown = PyMem_Realloc(buf->data, capacity);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buf->data = grown;
    buf->capacity = capacity;
    return 0;
}

static inline int buffer_add(buffer *buf, const void *bytes, size_t n) {
    if (buffer_reserve(buf, buf->size + n) < 0) {
        return -1;
    }
    memcpy(buf->data + buf->size, bytes, n);
    buf->size += n;
    return 0;
}

/* The text of ``root``'s descendants, with the code marks of the elements in ``marked``,
   appended to ``buf`` (see _lexbor.c). */
typedef struct addr_set addr_set;
int subtree_text(lf_node *root, const addr_set *marked, int any_marked, buffer *buf);

/* A set of node addresses (see _lexbor.c). */
addr_set *addresses_new(Py_ssize_t n);
void addresses_add(addr_set *set, uintptr_t address);
int addresses_has(const addr_set *set, uintptr_t address);
void addresses_free(addr_set *set);

/* An attribute's value as lexbor holds it: ``present`` is 0 when the attribute is absent
   or written without a value. */
typedef struct {
    const unsigned char *data;
    size_t length;
    int present;
} attr_view;

/* _regions.c: each element's region state (see there). */
extern int regions_busy;
int regions_ready(void);
int regions_page(void);
int region_state(int parent, uintptr_t tag, PyObject *tag_name, const unsigned char *name_bytes,
                 size_t name_length, attr_view *attrs, int *is_block);
PyObject *state_region(int state);
PyObject *state_path(int state);
PyObject *configure_regions(PyObject *self, PyObject *args);

/* The functions of _outline.c, in the module's method table. */
PyObject *bind_lexbor(PyObject *self, PyObject *path);
PyObject *configure_outline(PyObject *self, PyObject *args);
PyObject *attributes(PyObject *self, PyObject *address);
PyObject *raw_text(PyObject *self, PyObject *address);
PyObject *outline(PyObject *self, PyObject *address);
PyObject *inside(PyObject *self, PyObject *args);

#endif
