/* Block texts read straight from a page's parsed tree, in C.

   Extraction reads the text of every leaf text block of a page (a few hundred on a
   documentation page) with code marks around the code elements it holds. In Python that
   is, per block, a selectolax call that copies the text out, a split and a join to
   collapse its whitespace, and per code element two text nodes inserted into the tree;
   here one pass over each block's subtree writes the same characters into one buffer.

   selectolax gives each node's address (``LexborNode.mem_id``); the structs below are
   the leading fields of lexbor's ``lxb_dom_node_t`` and ``lxb_dom_character_data_t``
   (lexbor, Apache License 2.0, as selectolax bundles it). ``linkflow.extract.block_text``
   checks them against selectolax on a parsed document before this module is used, and
   falls back to the Python reading when they differ (another lexbor layout).

   The results are those of ``block_text.python_block_texts`` (see ``block_texts``); tests
   compare both on real and generated pages. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_lexbor.h"

/* Set by configure(): the tag id of text nodes and of the code elements. */
uintptr_t text_tag = (uintptr_t)-1;
#define MAX_CODE_TAGS 16
static uintptr_t code_tags[MAX_CODE_TAGS];
static Py_ssize_t n_code_tags = 0;

static PyObject *SPACE; /* " ", which the words of a text are joined with */

static const char CODE_OPEN[] = "\xef\xb7\x90";  /* U+FDD0 in UTF-8 */
static const char CODE_CLOSE[] = "\xef\xb7\x91"; /* U+FDD1 */

static int is_code(uintptr_t tag) {
    for (Py_ssize_t i = 0; i < n_code_tags; i++) {
        if (code_tags[i] == tag) {
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- a set of addresses */

struct addr_set {
    uintptr_t *slots; /* 0: empty (no node lives at address 0) */
    size_t mask;
};

static int set_init(addr_set *set, Py_ssize_t n) {
    size_t size = 16;
    while (size < (size_t)n * 2) {
        size <<= 1;
    }
    set->slots = PyMem_Calloc(size, sizeof(uintptr_t));
    set->mask = size - 1;
    return set->slots == NULL ? -1 : 0;
}

static size_t set_hash(uintptr_t a) {
    /* nodes are 8-byte aligned and sit close together: mix the bits */
    uint64_t h = (uint64_t)a >> 3;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h;
}

static void set_add(addr_set *set, uintptr_t a) {
    size_t i = set_hash(a) & set->mask;
    while (set->slots[i] != 0 && set->slots[i] != a) {
        i = (i + 1) & set->mask;
    }
    set->slots[i] = a;
}

static int set_has(const addr_set *set, uintptr_t a) {
    size_t i = set_hash(a) & set->mask;
    while (set->slots[i] != 0) {
        if (set->slots[i] == a) {
            return 1;
        }
        i = (i + 1) & set->mask;
    }
    return 0;
}

static void set_free(addr_set *set) { PyMem_Free(set->slots); }

/* ---------------------------------------------------------------- the module's functions */

static PyObject *configure(PyObject *self, PyObject *args) {
    unsigned long long text;
    PyObject *codes;
    if (!PyArg_ParseTuple(args, "KO!", &text, &PyTuple_Type, &codes)) {
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(codes);
    if (n > MAX_CODE_TAGS) {
        PyErr_SetString(PyExc_ValueError, "too many code tags");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned long long tag = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(codes, i));
        if (PyErr_Occurred()) {
            return NULL;
        }
        code_tags[i] = (uintptr_t)tag;
    }
    n_code_tags = n;
    text_tag = (uintptr_t)text;
    Py_RETURN_NONE;
}

static lf_node *as_node(PyObject *address) {
    void *pointer = PyLong_AsVoidPtr(address);
    if (pointer == NULL && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "no node at address 0");
    }
    return (lf_node *)pointer;
}

static PyObject *address_or_none(lf_node *node) {
    if (node == NULL) {
        Py_RETURN_NONE;
    }
    return PyLong_FromVoidPtr(node);
}

/* (tag id, parent, first child, next sibling, node type, text bytes) of the node at an
   address: the addresses None where there is no node, the text's length in bytes for a
   node of type 3 (text), else -1. What the layout check compares with selectolax, before
   any text is read through a pointer. */
static PyObject *fields(PyObject *self, PyObject *address) {
    lf_node *node = as_node(address);
    if (node == NULL) {
        return NULL;
    }
    PyObject *parent = address_or_none(node->parent);
    PyObject *first = address_or_none(node->first_child);
    PyObject *next = address_or_none(node->next);
    PyObject *result = NULL;
    if (parent != NULL && first != NULL && next != NULL) {
        Py_ssize_t length = node->type == 3 ? (Py_ssize_t)((lf_character_data *)node)->length : -1;
        result = Py_BuildValue("(KOOOin)", (unsigned long long)node->local_name, parent, first,
                               next, node->type, length);
    }
    Py_XDECREF(parent);
    Py_XDECREF(first);
    Py_XDECREF(next);
    return result;
}

/* The leaf block holding code element ``node``, or NULL: block_text._code_block. */
static lf_node *code_block(lf_node *node, const addr_set *leaves) {
    lf_node *current = node;
    while (current != NULL) {
        if (set_has(leaves, (uintptr_t)current)) {
            return current;
        }
        current = current->parent;
        if (current != NULL && is_code(current->local_name)) {
            return NULL;
        }
    }
    return NULL;
}

/* The text of ``root``'s descendants, with the code marks of the elements in ``marked``,
   appended to ``buf``: what selectolax's ``text(deep=True)`` gives once the marks are in
   the tree. */
int subtree_text(lf_node *root, const addr_set *marked, int any_marked, buffer *buf) {
    if (any_marked && set_has(marked, (uintptr_t)root) && buffer_add(buf, CODE_OPEN, 3) < 0) {
        return -1;
    }
    lf_node *node = root->first_child;
    while (node != NULL) {
        if (node->local_name == text_tag) {
            const lf_character_data *text = (const lf_character_data *)node;
            if (text->data != NULL && buffer_add(buf, text->data, text->length) < 0) {
                return -1;
            }
        } else if (any_marked && node->first_child != NULL &&
                   set_has(marked, (uintptr_t)node) && buffer_add(buf, CODE_OPEN, 3) < 0) {
            return -1;
        }
        if (node->first_child != NULL) {
            node = node->first_child;
            continue;
        }
        /* leaving nodes: close the marked elements on the way up */
        while (node != root && node->next == NULL) {
            node = node->parent;
            if (node != root && any_marked && set_has(marked, (uintptr_t)node) &&
                buffer_add(buf, CODE_CLOSE, 3) < 0) {
                return -1;
            }
        }
        if (node == root) {
            break;
        }
        node = node->next;
    }
    if (any_marked && set_has(marked, (uintptr_t)root) && buffer_add(buf, CODE_CLOSE, 3) < 0) {
        return -1;
    }
    return 0;
}

/* The code point of the UTF-8 sequence at ``s`` (``n`` bytes left), its length in
   ``*size``; -1 for an invalid or truncated sequence. */
static int32_t next_code_point(const unsigned char *s, size_t n, size_t *size) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *size = 1;
        return c;
    }
    size_t len;
    int32_t cp, min;
    if ((c & 0xe0) == 0xc0) {
        len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (len > n) {
        return -1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return -1;
    }
    *size = len;
    return cp;
}

/* The text of ``buf`` (UTF-8) with its whitespace collapsed, into ``out``: every run of
   white space (as ``str.split`` sees it, Unicode included) one space, none at either end;
   with ``skip_marks``, without the code marks (U+FDD0, U+FDD1). Returns -1 where the text
   is no valid UTF-8 (``out`` then holds part of it). */
static int collapse_into(const buffer *buf, buffer *out, int skip_marks) {
    const unsigned char *text = (const unsigned char *)buf->data;
    size_t n = buf->size, in = 0;
    out->size = 0;
    if (buffer_reserve(out, n) < 0) {
        return -2;
    }
    unsigned char *into = (unsigned char *)out->data;
    int space = 0;
    while (in < n) {
        size_t size;
        int32_t cp = next_code_point(text + in, n - in, &size);
        if (cp < 0) {
            return -1;
        }
        if (Py_UNICODE_ISSPACE((Py_UCS4)cp)) {
            space = out->size > 0;
        } else if (skip_marks && (cp == 0xfdd0 || cp == 0xfdd1)) {
            /* a code mark: no character, and no white space */
        } else {
            if (space) {
                into[out->size++] = ' ';
                space = 0;
            }
            memcpy(into + out->size, text + in, size);
            out->size += size;
        }
        in += size;
    }
    return 0;
}

/* The collapsed text of ``buf`` as a str (``out``: scratch space), without its code marks
   if ``skip_marks``. */
static PyObject *collapsed(const buffer *buf, buffer *out, int skip_marks) {
    if (buf->size == 0) {
        return PyUnicode_FromStringAndSize("", 0);
    }
    int status = collapse_into(buf, out, skip_marks);
    if (status == 0) {
        return PyUnicode_DecodeUTF8(out->data, (Py_ssize_t)out->size, NULL);
    }
    if (status == -2) {
        return NULL;
    }
    /* not UTF-8: decoded with replacements, then split and joined, as in Python */
    PyObject *text = PyUnicode_DecodeUTF8(buf->data, (Py_ssize_t)buf->size, "replace");
    if (text == NULL) {
        return NULL;
    }
    if (skip_marks) {
        PyObject *open = PyUnicode_FromString(CODE_OPEN), *close = PyUnicode_FromString(CODE_CLOSE);
        PyObject *empty = PyUnicode_FromStringAndSize("", 0);
        PyObject *without = NULL;
        if (open && close && empty) {
            PyObject *once = PyUnicode_Replace(text, open, empty, -1);
            if (once) {
                without = PyUnicode_Replace(once, close, empty, -1);
                Py_DECREF(once);
            }
        }
        Py_XDECREF(open);
        Py_XDECREF(close);
        Py_XDECREF(empty);
        Py_DECREF(text);
        if (without == NULL) {
            return NULL;
        }
        text = without;
    }
    PyObject *words = PyUnicode_Split(text, NULL, -1);
    Py_DECREF(text);
    if (words == NULL) {
        return NULL;
    }
    PyObject *joined = PyUnicode_Join(SPACE, words);
    Py_DECREF(words);
    return joined;
}

static int fill_set(addr_set *set, PyObject *sequence) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(sequence);
    PyObject **items = PySequence_Fast_ITEMS(sequence);
    if (set_init(set, n) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        lf_node *node = as_node(items[i]);
        if (node == NULL) {
            return -1;
        }
        set_add(set, (uintptr_t)node);
    }
    return 0;
}

/* block_texts(leaves, codes) -> (texts, marked)

   ``leaves``: addresses of the leaf blocks of a page; ``codes``: addresses of its code
   elements, or None to mark no code. Each code element with a child, held by a leaf block
   with no other code element between them, is marked (``block_text.mark_code_in_tree``);
   ``texts`` are the leaves' whitespace-collapsed texts, with the marks, in the order given
   (``" ".join(node.text(deep=True).split())`` of the marked tree); ``marked`` maps the
   address of each leaf that holds marked code to its collapsed text without the marks. */
static PyObject *block_texts(PyObject *self, PyObject *args) {
    PyObject *leaves_arg, *codes_arg;
    if (!PyArg_ParseTuple(args, "OO", &leaves_arg, &codes_arg)) {
        return NULL;
    }
    if (text_tag == (uintptr_t)-1) {
        PyErr_SetString(PyExc_RuntimeError, "configure() was not called");
        return NULL;
    }
    PyObject *leaves = PySequence_Fast(leaves_arg, "leaves must be a sequence");
    if (leaves == NULL) {
        return NULL;
    }
    PyObject *codes =
        codes_arg == Py_None ? NULL : PySequence_Fast(codes_arg, "codes must be a sequence");
    PyObject *texts = NULL, *marked_texts = NULL, *result = NULL;
    addr_set leaf_set = {NULL, 0}, marked = {NULL, 0}, marked_blocks = {NULL, 0};
    buffer buf = {NULL, 0, 0}, out = {NULL, 0, 0};
    int any_marked = 0;
    if (codes_arg != Py_None && codes == NULL) {
        goto done;
    }
    marked_texts = PyDict_New();
    if (marked_texts == NULL) {
        goto done;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(leaves);
    PyObject **leaf_items = PySequence_Fast_ITEMS(leaves);
    if (codes != NULL && PySequence_Fast_GET_SIZE(codes) > 0) {
        Py_ssize_t n_codes = PySequence_Fast_GET_SIZE(codes);
        PyObject **code_items = PySequence_Fast_ITEMS(codes);
        if (fill_set(&leaf_set, leaves) < 0 || set_init(&marked, n_codes) < 0 ||
            set_init(&marked_blocks, n_codes) < 0) {
            if (!PyErr_Occurred()) {
                PyErr_NoMemory();
            }
            goto done;
        }
        for (Py_ssize_t i = 0; i < n_codes; i++) {
            lf_node *code = as_node(code_items[i]);
            if (code == NULL) {
                goto done;
            }
            if (code->first_child == NULL) {
                continue;
            }
            lf_node *block = code_block(code, &leaf_set);
            if (block == NULL) {
                continue;
            }
            set_add(&marked, (uintptr_t)code);
            set_add(&marked_blocks, (uintptr_t)block);
            any_marked = 1;
        }
    }
    texts = PyList_New(n);
    if (texts == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        lf_node *leaf = as_node(leaf_items[i]);
        if (leaf == NULL) {
            Py_CLEAR(texts);
            goto done;
        }
        buf.size = 0;
        PyObject *text = NULL;
        if (subtree_text(leaf, &marked, any_marked, &buf) == 0) {
            text = collapsed(&buf, &out, 0);
        }
        if (text == NULL) {
            Py_CLEAR(texts);
            goto done;
        }
        PyList_SET_ITEM(texts, i, text);
        if (any_marked && set_has(&marked_blocks, (uintptr_t)leaf)) {
            PyObject *plain = collapsed(&buf, &out, 1);
            int failed = plain == NULL || PyDict_SetItem(marked_texts, leaf_items[i], plain) < 0;
            Py_XDECREF(plain);
            if (failed) {
                Py_CLEAR(texts);
                goto done;
            }
        }
    }
    result = PyTuple_Pack(2, texts, marked_texts);
done:
    PyMem_Free(buf.data);
    PyMem_Free(out.data);
    set_free(&leaf_set);
    set_free(&marked);
    set_free(&marked_blocks);
    Py_XDECREF(texts);
    Py_XDECREF(marked_texts);
    Py_XDECREF(codes);
    Py_DECREF(leaves);
    return result;
}

/* text(address) -> the whitespace-collapsed text of the node's descendants: what
   ``" ".join(node.text(deep=True).split())`` gives. */
static PyObject *text(PyObject *self, PyObject *address) {
    if (text_tag == (uintptr_t)-1) {
        PyErr_SetString(PyExc_RuntimeError, "configure() was not called");
        return NULL;
    }
    lf_node *node = as_node(address);
    if (node == NULL) {
        return NULL;
    }
    /* A link's text at a time (hundreds a page): the buffers are kept between calls (the
       interpreter lock is held), unless a long text grew them. */
    static buffer buf = {NULL, 0, 0}, out = {NULL, 0, 0};
    addr_set none = {NULL, 0};
    PyObject *result = NULL;
    buf.size = 0;
    if (subtree_text(node, &none, 0, &buf) == 0) {
        result = collapsed(&buf, &out, 0);
    }
    if (buf.capacity > KEPT_BYTES) {
        PyMem_Free(buf.data);
        buf = (buffer){NULL, 0, 0};
    }
    if (out.capacity > KEPT_BYTES) {
        PyMem_Free(out.data);
        out = (buffer){NULL, 0, 0};
    }
    return result;
}

/* An empty set with room for ``n`` addresses, for _outline.c; NULL with MemoryError set. */
addr_set *addresses_new(Py_ssize_t n) {
    addr_set *set = PyMem_Malloc(sizeof(addr_set));
    if (set == NULL || set_init(set, n) < 0) {
        PyMem_Free(set);
        PyErr_NoMemory();
        return NULL;
    }
    return set;
}

void addresses_add(addr_set *set, uintptr_t address) { set_add(set, address); }

int addresses_has(const addr_set *set, uintptr_t address) { return set_has(set, address); }

void addresses_free(addr_set *set) {
    if (set != NULL) {
        set_free(set);
        PyMem_Free(set);
    }
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(text_tag, code_tags): the tag id of text nodes and of code elements"},
    {"fields", fields, METH_O,
     "fields(address) -> (tag id, parent, first child, next, node type, text bytes) of a node"},
    {"text", text, METH_O, "text(address) -> the collapsed text of a node's descendants"},
    {"block_texts", block_texts, METH_VARARGS,
     "block_texts(leaves, codes) -> (collapsed texts with code marks, {marked leaf: plain text})"},
    {"bind_lexbor", bind_lexbor, METH_O,
     "bind_lexbor(path) -> whether lexbor's functions were found in the module at path"},
    {"configure_outline", configure_outline, METH_VARARGS,
     "configure_outline(kinds, named, special): what the walk reads of each tag id"},
    {"attributes", attributes, METH_O, "attributes(address) -> every attribute of an element"},
    {"raw_text", raw_text, METH_O, "raw_text(address) -> the text of a node's descendants"},
    {"outline", outline, METH_O,
     "outline(root) -> (links, leaves, codes, heads, images, dropped) of a page's walk"},
    {"inside", inside, METH_VARARGS,
     "inside(address, ancestor) -> whether the node is the ancestor or inside it"},
    {"configure_regions", configure_regions, METH_VARARGS,
     "configure_regions(step, names): how the walk works out each element's region"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_lexbor", NULL, -1, methods};

PyMODINIT_FUNC PyInit__lexbor(void) {
    SPACE = PyUnicode_InternFromString(" ");
    if (SPACE == NULL) {
        return NULL;
    }
    return PyModule_Create(&module);
}
