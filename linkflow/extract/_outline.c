/* A page's walk in C: what extraction reads from each element, without a Python object
   per element.

   ``linkflow.extract.walk`` walks every element of a parsed page in Python (selectolax
   makes an object for each) and ``linkflow.extract.regions`` then climbs from each link
   and text block to its ancestors. Here one walk over lexbor's tree works out the region
   state of each link and block and of their ancestors (_regions.c) and gives back only
   what extraction keeps, as plain values: the links, with their region, tag path, block
   and attributes; the leaf text blocks, with their region and the blocks around their
   parent and grandparent; the page's code elements, head elements, images in links and
   dropped elements by address. The walk then changes the tree as the Python walk does:
   the dropped elements are removed and every line break becomes a space.

   The nodes are read through the struct fields of _lexbor.h (checked before use, see
   block_text.py) and attributes, names and tree changes through lexbor's own functions,
   the very ones selectolax calls, found in selectolax's module (bind_lexbor). The Python
   side, ``linkflow.extract.parse``, compares the results with the Python walk's on two
   sample pages before using them. */

#include "_lexbor.h"

#include <dlfcn.h>

/* ---------------------------------------------------------------- lexbor's functions */

typedef struct lf_attr lf_attr; /* lxb_dom_attr_t: read through lexbor's functions only */

static lf_attr *(*first_attribute)(lf_node *element);
static lf_attr *(*next_attribute)(lf_attr *attr);
static const unsigned char *(*attr_name)(lf_attr *attr, size_t *len);
static const unsigned char *(*attr_value)(lf_attr *attr, size_t *len);
static const unsigned char *(*element_name)(lf_node *element, size_t *len);
static void (*node_remove)(lf_node *node);
static void (*node_insert_before)(lf_node *to, lf_node *node);
static lf_node *(*create_text_node)(void *document, const unsigned char *data, size_t len);
static int bound = 0;

static void *symbol(void *handle, const char *name, int *missing) {
    void *found = dlsym(handle, name);
    if (found == NULL) {
        *missing = 1;
    }
    return found;
}

/* bind_lexbor(path) -> whether the lexbor functions were found in the loaded module at
   ``path`` (selectolax's, which exports them). */
PyObject *bind_lexbor(PyObject *self, PyObject *path) {
    PyObject *encoded = NULL;
    if (!PyUnicode_FSConverter(path, &encoded)) {
        return NULL;
    }
    void *handle = dlopen(PyBytes_AS_STRING(encoded), RTLD_NOW | RTLD_NOLOAD);
    Py_DECREF(encoded);
    if (handle == NULL) {
        Py_RETURN_FALSE;
    }
    int missing = 0;
    first_attribute = symbol(handle, "lxb_dom_element_first_attribute_noi", &missing);
    next_attribute = symbol(handle, "lxb_dom_element_next_attribute_noi", &missing);
    attr_name = symbol(handle, "lxb_dom_attr_qualified_name", &missing);
    attr_value = symbol(handle, "lxb_dom_attr_value_noi", &missing);
    element_name = symbol(handle, "lxb_dom_element_qualified_name", &missing);
    node_remove = symbol(handle, "lxb_dom_node_remove", &missing);
    node_insert_before = symbol(handle, "lxb_dom_node_insert_before", &missing);
    create_text_node = symbol(handle, "lxb_dom_document_create_text_node", &missing);
    bound = !missing;
    return PyBool_FromLong(bound);
}

/* ---------------------------------------------------------------- what each tag is */

enum {
    KIND_NONE, /* an element extraction does not read (span, em ...) */
    KIND_A,
    KIND_AREA,
    KIND_BLOCK,
    KIND_PRE,  /* a block that is code */
    KIND_H1,   /* a block that is a head element */
    KIND_CODE, /* code, kbd, samp, tt */
    KIND_BR,
    KIND_IMG,
    KIND_DROP, /* script, style ...: removed with their content */
    KIND_META,
    KIND_LINK,
    KIND_BASE,
    KIND_HEAD, /* title, html */
    KIND_COUNT,
};

#define FIXED_IDS 4096 /* lexbor's fixed tag ids run to a few hundred; others are pointers */
static unsigned char kinds[FIXED_IDS];
static PyObject *names[FIXED_IDS]; /* the name of each tag id the Python side knows */
#define MAX_SPECIAL 8
static uintptr_t special_ids[MAX_SPECIAL];
static PyObject *special_names[MAX_SPECIAL];
static Py_ssize_t n_special = 0;
static int configured = 0;

static int kind_of(uintptr_t tag) { return tag < FIXED_IDS ? kinds[tag] : KIND_NONE; }

/* The attributes read from links and the ancestors of links and blocks. */
enum { A_CLASS, A_ID, A_ROLE, A_ARIA_LABEL, A_ITEMPROP, A_HREF, A_REL, A_TARGET, A_ALT, A_COUNT };
#define REGION_NAMES A_HREF /* the first A_HREF names are what regions read */
#define NAME(text) {text, sizeof(text) - 1}
static const struct {
    const char *text;
    size_t length;
} NAMES[A_COUNT] = {
    NAME("class"), NAME("id"),  NAME("role"),   NAME("aria-label"), NAME("itemprop"),
    NAME("href"),  NAME("rel"), NAME("target"), NAME("alt"),
};
static PyObject *name_objects[A_COUNT]; /* NAMES as str, the link attributes' dict keys */

/* configure_outline(kinds, names, special): the kind of each tag id (a dict of ids to
   the KIND_ numbers), the names the caller knows by id, and the names of the other nodes
   that may be ancestors (the document node), by id. */
PyObject *configure_outline(PyObject *self, PyObject *args) {
    PyObject *kind_map, *known, *special;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyDict_Type, &kind_map, &PyDict_Type, &known,
                          &PyDict_Type, &special)) {
        return NULL;
    }
    if (PyDict_GET_SIZE(special) > MAX_SPECIAL) {
        PyErr_SetString(PyExc_ValueError, "too many special names");
        return NULL;
    }
    memset(kinds, 0, sizeof kinds);
    for (size_t i = 0; i < FIXED_IDS; i++) {
        Py_CLEAR(names[i]);
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(kind_map, &pos, &key, &value)) {
        size_t id = PyLong_AsSize_t(key);
        long kind = PyLong_AsLong(value);
        if (PyErr_Occurred()) {
            return NULL;
        }
        if (id >= FIXED_IDS || kind <= KIND_NONE || kind >= KIND_COUNT) {
            PyErr_SetString(PyExc_ValueError, "a tag id or kind out of range");
            return NULL;
        }
        kinds[id] = (unsigned char)kind;
    }
    pos = 0;
    while (PyDict_Next(known, &pos, &key, &value)) {
        size_t id = PyLong_AsSize_t(key);
        if (PyErr_Occurred()) {
            return NULL;
        }
        if (id < FIXED_IDS && PyUnicode_Check(value)) {
            Py_INCREF(value);
            names[id] = value;
        }
    }
    for (Py_ssize_t i = 0; i < n_special; i++) {
        Py_CLEAR(special_names[i]);
    }
    n_special = 0;
    pos = 0;
    while (PyDict_Next(special, &pos, &key, &value)) {
        special_ids[n_special] = (uintptr_t)PyLong_AsSize_t(key);
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_INCREF(value);
        special_names[n_special++] = value;
    }
    for (int i = 0; i < A_COUNT; i++) {
        if (name_objects[i] == NULL &&
            (name_objects[i] = PyUnicode_InternFromString(NAMES[i].text)) == NULL) {
            return NULL;
        }
    }
    configured = 1;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- attributes */

/* The index in NAMES (below ``limit``) of the attribute name ``name``, or -1. */
static int name_index(const unsigned char *name, size_t len, int limit) {
    for (int i = 0; i < limit; i++) {
        if (NAMES[i].length == len && memcmp(NAMES[i].text, name, len) == 0) {
            return i;
        }
    }
    return -1;
}

/* An attribute's value as selectolax gives it: None when written without one. */
static PyObject *value_of(lf_attr *attr) {
    size_t len = 0;
    const unsigned char *value = attr_value(attr, &len);
    if (value == NULL) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeUTF8((const char *)value, (Py_ssize_t)len, "replace");
}

/* One pass over the attributes of ``element``: the region attributes (the first
   REGION_NAMES of NAMES) as views into lexbor's strings, and with ``values`` (a link's),
   the others as new references (NULL where absent). A later attribute of the same name
   wins, as in selectolax's dict. -1 with an exception set on error. */
static int read_attributes(lf_node *element, attr_view *views, PyObject **values) {
    int limit = values != NULL ? A_COUNT : REGION_NAMES;
    for (lf_attr *attr = first_attribute(element); attr != NULL; attr = next_attribute(attr)) {
        size_t len = 0;
        const unsigned char *name = attr_name(attr, &len);
        int index = name == NULL ? -1 : name_index(name, len, limit);
        if (index < 0) {
            continue;
        }
        if (index < REGION_NAMES) {
            size_t length = 0;
            const unsigned char *value = attr_value(attr, &length);
            views[index] = (attr_view){value, length, value != NULL};
            continue;
        }
        PyObject *value = value_of(attr);
        if (value == NULL) {
            return -1;
        }
        Py_XSETREF(values[index], value);
    }
    return 0;
}

/* The link attributes of ``values`` (href, rel, target, alt) as a dict of those present. */
static PyObject *link_dict(PyObject **values) {
    PyObject *dict = PyDict_New();
    for (int i = REGION_NAMES; dict != NULL && i < A_COUNT; i++) {
        if (values[i] != NULL && PyDict_SetItem(dict, name_objects[i], values[i]) < 0) {
            Py_CLEAR(dict);
        }
    }
    return dict;
}

/* Whether ``element`` has an attribute named ``name`` (with or without a value). */
static int has_attribute(lf_node *element, const char *name) {
    size_t want = strlen(name);
    for (lf_attr *attr = first_attribute(element); attr != NULL; attr = next_attribute(attr)) {
        size_t len = 0;
        const unsigned char *found = attr_name(attr, &len);
        if (found != NULL && len == want && memcmp(found, name, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The node at ``address`` once the module is set up; NULL with an exception set if it is
   not, or if the address is no int or 0. */
static lf_node *node_at(PyObject *address) {
    if (!bound || !configured || !regions_ready() || text_tag == (uintptr_t)-1) {
        PyErr_SetString(PyExc_RuntimeError, "bind_lexbor(), configure(), configure_outline() "
                                            "or configure_regions() was not called");
        return NULL;
    }
    void *pointer = PyLong_AsVoidPtr(address);
    if (pointer == NULL && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "no node at address 0");
    }
    return (lf_node *)pointer;
}

/* attributes(address) -> every attribute of the element, as selectolax's ``attributes``. */
PyObject *attributes(PyObject *self, PyObject *address) {
    lf_node *element = node_at(address);
    if (element == NULL) {
        return NULL;
    }
    PyObject *found = PyDict_New();
    if (found == NULL || element->type != 1) {
        return found;
    }
    for (lf_attr *attr = first_attribute(element); attr != NULL; attr = next_attribute(attr)) {
        size_t len = 0;
        const unsigned char *name = attr_name(attr, &len);
        PyObject *key = PyUnicode_DecodeUTF8(name == NULL ? "" : (const char *)name,
                                             name == NULL ? 0 : (Py_ssize_t)len, "replace");
        PyObject *value = key == NULL ? NULL : value_of(attr);
        if (value == NULL || PyDict_SetItem(found, key, value) < 0) {
            Py_XDECREF(key);
            Py_XDECREF(value);
            Py_DECREF(found);
            return NULL;
        }
        Py_DECREF(key);
        Py_DECREF(value);
    }
    return found;
}

/* raw_text(address) -> the text of the node's descendants, as selectolax's
   ``text(deep=True)``. */
PyObject *raw_text(PyObject *self, PyObject *address) {
    lf_node *node = node_at(address);
    if (node == NULL) {
        return NULL;
    }
    buffer buf = {NULL, 0, 0};
    PyObject *result = NULL;
    if (subtree_text(node, NULL, 0, &buf) == 0) {
        result = PyUnicode_DecodeUTF8(buf.data == NULL ? "" : buf.data, (Py_ssize_t)buf.size,
                                      "replace");
    }
    PyMem_Free(buf.data);
    return result;
}

/* ---------------------------------------------------------------- the walk */

static PyObject *walk_page(lf_node *root);

/* The name of ``node`` as the Python side knows it (selectolax's ``tag``), a new
   reference; ``*bytes`` and ``*length`` are set to the name's bytes when its tag id has no
   name known by id (a custom element), else ``*bytes`` is NULL. */
static PyObject *name_of(lf_node *node, const unsigned char **bytes, size_t *length) {
    uintptr_t tag = node->local_name;
    *bytes = NULL;
    if (tag < FIXED_IDS && names[tag] != NULL) {
        Py_INCREF(names[tag]);
        return names[tag];
    }
    for (Py_ssize_t i = 0; i < n_special; i++) {
        if (special_ids[i] == tag) {
            Py_INCREF(special_names[i]);
            return special_names[i];
        }
    }
    size_t len = 0;
    const unsigned char *name = node->type == 1 ? element_name(node, &len) : NULL;
    *bytes = name == NULL ? (const unsigned char *)"" : name;
    *length = name == NULL ? 0 : len;
    return PyUnicode_DecodeUTF8((const char *)*bytes, (Py_ssize_t)*length, "replace");
}

typedef struct {
    lf_node *node;
    int state;       /* its region state, -1 until needed */
    uintptr_t block; /* the address of its nearest block, itself included (0: none) */
} open_element;

typedef struct {
    open_element *items;
    Py_ssize_t size, capacity;
} element_stack;

static int stack_push(element_stack *stack, lf_node *node) {
    if (stack->size == stack->capacity) {
        Py_ssize_t capacity = stack->capacity ? stack->capacity * 2 : 64;
        open_element *grown = PyMem_Realloc(stack->items, (size_t)capacity * sizeof(open_element));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        stack->items = grown;
        stack->capacity = capacity;
    }
    stack->items[stack->size++] = (open_element){node, -1, 0};
    return 0;
}

typedef struct {
    Py_ssize_t index;  /* among the page's links and blocks */
    lf_node *node;
    int state;
    uintptr_t outer;   /* the nearest block around it (its parent's block) */
    uintptr_t grand;   /* its grandparent's block */
    int has_grand;     /* whether it has a grandparent (above the document counts) */
} block_entry;

typedef struct {
    PyObject *links, *codes, *heads, *dropped;
    PyObject *removed_list, *breaks, *images; /* addresses, for after the walk */
    element_stack stack;
    block_entry *blocks;
    Py_ssize_t n_blocks, blocks_capacity;
    Py_ssize_t index; /* of the next link or block */
    int links_before;
} walk_state;

/* The region state of ``node`` under an element in state ``parent``; whether it is a block
   in ``*is_block``; with ``values``, a link's other attributes read too. */
static int element_state(lf_node *node, int parent, PyObject **values, int *is_block) {
    attr_view views[REGION_NAMES] = {{NULL, 0, 0}};
    if (node->type == 1 && read_attributes(node, views, values) < 0) {
        return -1;
    }
    const unsigned char *bytes;
    size_t length = 0;
    PyObject *name = name_of(node, &bytes, &length);
    if (name == NULL) {
        return -1;
    }
    int state = region_state(parent, node->local_name, name, bytes, length, views, is_block);
    Py_DECREF(name);
    return state;
}

/* The states of the open elements not worked out yet (the ancestors of the next link or
   block), outermost first. */
static int open_states(walk_state *walk) {
    element_stack *stack = &walk->stack;
    Py_ssize_t first = stack->size;
    while (first > 0 && stack->items[first - 1].state < 0) {
        first--;
    }
    for (Py_ssize_t i = first; i < stack->size; i++) {
        open_element *item = &stack->items[i];
        int parent = i > 0 ? stack->items[i - 1].state : 0;
        uintptr_t parent_block = i > 0 ? stack->items[i - 1].block : 0;
        int is_block = 0;
        item->state = element_state(item->node, parent, NULL, &is_block);
        if (item->state < 0) {
            return -1;
        }
        item->block = is_block ? (uintptr_t)item->node : parent_block;
    }
    return 0;
}

static int add_address(PyObject *list, lf_node *node) {
    PyObject *address = PyLong_FromVoidPtr(node);
    int failed = address == NULL || PyList_Append(list, address) < 0;
    Py_XDECREF(address);
    return failed ? -1 : 0;
}

static int add_head(walk_state *walk, lf_node *node, int kind) {
    PyObject *head = Py_BuildValue("(iN)", kind, PyLong_FromVoidPtr(node));
    int failed = head == NULL || PyList_Append(walk->heads, head) < 0;
    Py_XDECREF(head);
    return failed ? -1 : 0;
}

/* The dropped element ``root`` and every dropped element inside it, in document order. */
static int add_dropped(walk_state *walk, lf_node *root) {
    if (add_address(walk->dropped, root) < 0) {
        return -1;
    }
    for (lf_node *node = lf_next(root, root); node != NULL; node = lf_next(node, root)) {
        if (node->type == 1 && kind_of(node->local_name) == KIND_DROP &&
            add_address(walk->dropped, node) < 0) {
            return -1;
        }
    }
    return 0;
}

static PyObject *address_or_zero(uintptr_t address) {
    return PyLong_FromVoidPtr((void *)address);
}

/* A link or block: its state worked out (its ancestors' first), then the link given or
   the block kept for after the walk; the element is pushed as open. */
static int add_main(walk_state *walk, lf_node *node, int kind) {
    if (open_states(walk) < 0) {
        return -1;
    }
    element_stack *stack = &walk->stack;
    Py_ssize_t size = stack->size;
    int parent = size > 0 ? stack->items[size - 1].state : 0;
    /* as regions.NodeInfo has them: above the document is a parent too (block 0) */
    uintptr_t outer = size > 0 ? stack->items[size - 1].block : 0;
    uintptr_t grand = size > 1 ? stack->items[size - 2].block : 0;
    int has_grand = size > 0;
    int link = kind == KIND_A || kind == KIND_AREA;
    PyObject *values[A_COUNT] = {NULL};
    int is_block = 0;
    int state = element_state(node, parent, link ? values : NULL, &is_block);
    int failed = state < 0 || stack_push(stack, node) < 0;
    if (!failed) {
        stack->items[stack->size - 1].state = state;
        stack->items[stack->size - 1].block = is_block ? (uintptr_t)node : outer;
    }
    Py_ssize_t index = walk->index++;
    if (!failed && link) {
        PyObject *attrs = link_dict(values);
        PyObject *entry = attrs == NULL ? NULL
                                        : Py_BuildValue("(nNiOONN)", index, PyLong_FromVoidPtr(node),
                                                        kind, state_region(state), state_path(state),
                                                        address_or_zero(is_block ? (uintptr_t)node
                                                                                 : outer),
                                                        attrs);
        failed = entry == NULL || PyList_Append(walk->links, entry) < 0;
        Py_XDECREF(entry);
    } else if (!failed) {
        if (walk->n_blocks == walk->blocks_capacity) {
            Py_ssize_t capacity = walk->blocks_capacity ? walk->blocks_capacity * 2 : 256;
            block_entry *grown =
                PyMem_Realloc(walk->blocks, (size_t)capacity * sizeof(block_entry));
            if (grown == NULL) {
                PyErr_NoMemory();
                failed = 1;
            } else {
                walk->blocks = grown;
                walk->blocks_capacity = capacity;
            }
        }
        if (!failed) {
            walk->blocks[walk->n_blocks++] =
                (block_entry){index, node, state, outer, grand, has_grand};
        }
    }
    for (int i = 0; i < A_COUNT; i++) {
        Py_XDECREF(values[i]);
    }
    return failed ? -1 : 0;
}

/* Read one element; *descend is 1 when its children are to be walked, 2 when they are
   and it is on the stack already, 0 when they are not. */
static int visit(walk_state *walk, lf_node *node, int *descend) {
    int kind = kind_of(node->local_name);
    *descend = 1;
    switch (kind) {
    case KIND_A:
    case KIND_AREA:
    case KIND_BLOCK:
    case KIND_PRE:
    case KIND_H1:
        if (add_main(walk, node, kind) < 0) {
            return -1;
        }
        *descend = 2;
        if (kind == KIND_A) {
            walk->links_before = 1;
        } else if (kind == KIND_PRE) {
            return add_address(walk->codes, node);
        } else if (kind == KIND_H1) {
            return add_head(walk, node, kind);
        }
        return 0;
    case KIND_CODE:
        return add_address(walk->codes, node);
    case KIND_BR:
        return add_address(walk->breaks, node);
    case KIND_IMG:
        return walk->links_before ? add_address(walk->images, node) : 0;
    case KIND_DROP:
        *descend = 0;
        if (add_address(walk->removed_list, node) < 0) {
            return -1;
        }
        return add_dropped(walk, node);
    case KIND_META:
        return has_attribute(node, "name") ? add_head(walk, node, kind) : 0;
    case KIND_LINK:
        return has_attribute(node, "rel") && has_attribute(node, "href") ? add_head(walk, node, kind)
                                                                          : 0;
    case KIND_BASE:
        return has_attribute(node, "href") ? add_head(walk, node, kind) : 0;
    case KIND_HEAD:
        return add_head(walk, node, kind);
    default:
        return 0;
    }
}

/* The leaf blocks (those no other block is in) as (index, address, region, outer block,
   grandparent's block or None, address), in document order. */
static PyObject *leaf_blocks(walk_state *walk) {
    addr_set *outers = addresses_new(walk->n_blocks); /* the blocks that hold blocks */
    PyObject *leaves = outers == NULL ? NULL : PyList_New(0);
    if (leaves == NULL) {
        addresses_free(outers);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < walk->n_blocks; i++) {
        if (walk->blocks[i].outer != 0) {
            addresses_add(outers, walk->blocks[i].outer);
        }
    }
    for (Py_ssize_t i = 0; i < walk->n_blocks; i++) {
        block_entry *block = &walk->blocks[i];
        if (addresses_has(outers, (uintptr_t)block->node)) {
            continue;
        }
        PyObject *index = PyLong_FromSsize_t(block->index);
        PyObject *address = PyLong_FromVoidPtr(block->node);
        PyObject *outer = address_or_zero(block->outer);
        PyObject *grand = block->has_grand ? address_or_zero(block->grand) : Py_NewRef(Py_None);
        PyObject *entry = index == NULL || address == NULL || outer == NULL || grand == NULL
                              ? NULL
                              : PyTuple_Pack(6, index, address, state_region(block->state), outer,
                                             grand, address);
        Py_XDECREF(index);
        Py_XDECREF(address);
        Py_XDECREF(outer);
        Py_XDECREF(grand);
        int bad = entry == NULL || PyList_Append(leaves, entry) < 0;
        Py_XDECREF(entry);
        if (bad) {
            goto failed;
        }
    }
    addresses_free(outers);
    return leaves;
failed:
    addresses_free(outers);
    Py_DECREF(leaves);
    return NULL;
}

/* The first image inside each link: {address of its nearest ``a``: address of the image},
   for the images with an ``a`` that has an href among their ancestors (walk._images). */
static PyObject *link_images(PyObject *images) {
    PyObject *found = PyDict_New();
    if (found == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(images); i++) {
        PyObject *image = PyList_GET_ITEM(images, i);
        lf_node *nearest = NULL;
        for (lf_node *node = ((lf_node *)PyLong_AsVoidPtr(image))->parent; node != NULL;
             node = node->parent) {
            if (node->type != 1 || kind_of(node->local_name) != KIND_A) {
                continue;
            }
            if (nearest == NULL) {
                nearest = node;
            }
            if (has_attribute(node, "href")) {
                PyObject *key = PyLong_FromVoidPtr(nearest);
                int failed = key == NULL || PyDict_SetDefault(found, key, image) == NULL;
                Py_XDECREF(key);
                if (failed) {
                    Py_DECREF(found);
                    return NULL;
                }
                break;
            }
        }
    }
    return found;
}

/* The tree changed as the Python walk changes it: the dropped elements removed (with
   their content), then each line break replaced by a space. */
static int change_tree(walk_state *walk) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(walk->removed_list); i++) {
        node_remove((lf_node *)PyLong_AsVoidPtr(PyList_GET_ITEM(walk->removed_list, i)));
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(walk->breaks); i++) {
        lf_node *br = (lf_node *)PyLong_AsVoidPtr(PyList_GET_ITEM(walk->breaks, i));
        lf_node *space = create_text_node(br->owner_document, (const unsigned char *)" ", 1);
        if (space == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        node_insert_before(br, space);
        node_remove(br);
    }
    return 0;
}

/* outline(root) -> (links, leaves, codes, heads, images, dropped)

   ``root``: the address of the page's root element. ``links``: (index, address, kind,
   region, tag path, block, attributes) of every ``a`` and ``area``, in document order:
   ``index`` counts the page's links and blocks, ``block`` is the address of the nearest
   block around it (0: none), ``attributes`` its href, rel, target and alt, those it has.
   ``leaves``: (index, address, region, outer, grand, address) of the blocks that hold no
   other block: ``outer`` is the parent's block, ``grand`` the grandparent's (None when
   there is no grandparent). ``codes``: addresses of the code elements; ``heads``: (kind,
   address) of the head elements; ``images``: {nearest ``a``: first image inside it};
   ``dropped``: addresses of the dropped elements, nested ones too. The tree is changed
   afterwards (see change_tree).

   None, with the tree untouched, while another walk is under way: the regions' tables
   are the module's, and a walk calls Python (regions.step), which may switch to another
   thread that parses a page too. That page is then read by the Python walk. */
PyObject *outline(PyObject *self, PyObject *address) {
    lf_node *root = node_at(address);
    if (root == NULL) {
        return NULL;
    }
    if (regions_busy) {
        Py_RETURN_NONE;
    }
    regions_busy = 1;
    PyObject *result = walk_page(root);
    regions_busy = 0;
    return result;
}

/* outline() of the page whose root element is ``root``, once it holds the tables. */
static PyObject *walk_page(lf_node *root) {
    if (regions_page() < 0) {
        return NULL;
    }
    walk_state walk = {PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0),
                       PyList_New(0), PyList_New(0), PyList_New(0), {NULL, 0, 0},
                       NULL, 0, 0, 0, 0};
    PyObject *result = NULL, *images = NULL, *leaves = NULL;
    if (!walk.links || !walk.codes || !walk.heads || !walk.dropped || !walk.removed_list ||
        !walk.breaks || !walk.images) {
        goto done;
    }
    /* The root's ancestors (the document node) open, outermost first. */
    Py_ssize_t depth = 0;
    for (lf_node *up = root->parent; up != NULL; up = up->parent) {
        depth++;
    }
    for (Py_ssize_t i = 0; i < depth; i++) {
        if (stack_push(&walk.stack, NULL) < 0) {
            goto done;
        }
    }
    Py_ssize_t slot = depth;
    for (lf_node *up = root->parent; up != NULL; up = up->parent) {
        walk.stack.items[--slot].node = up;
    }
    lf_node *node = root;
    while (node != NULL) {
        int descend = 1;
        if (node->type == 1 && visit(&walk, node, &descend) < 0) {
            goto done;
        }
        if (descend && node->first_child != NULL) {
            if (descend == 1 && stack_push(&walk.stack, node) < 0) {
                goto done;
            }
            node = node->first_child;
            continue;
        }
        if (descend == 2) {
            walk.stack.size--; /* pushed by visit, no children to walk */
        }
        while (node != root && node->next == NULL) {
            node = node->parent;
            walk.stack.size--;
        }
        if (node == root) {
            break;
        }
        node = node->next;
    }
    leaves = leaf_blocks(&walk);
    images = leaves == NULL ? NULL : link_images(walk.images);
    if (images == NULL || change_tree(&walk) < 0) {
        goto done;
    }
    result = PyTuple_Pack(6, walk.links, leaves, walk.codes, walk.heads, images, walk.dropped);
done:
    PyMem_Free(walk.stack.items);
    PyMem_Free(walk.blocks);
    Py_XDECREF(walk.links);
    Py_XDECREF(walk.codes);
    Py_XDECREF(walk.heads);
    Py_XDECREF(walk.dropped);
    Py_XDECREF(walk.removed_list);
    Py_XDECREF(walk.breaks);
    Py_XDECREF(walk.images);
    Py_XDECREF(images);
    Py_XDECREF(leaves);
    return result;
}

/* inside(address, ancestor) -> whether the node at ``address`` is ``ancestor`` or inside
   it (``ancestor`` 0: above the document, which holds every node). */
PyObject *inside(PyObject *self, PyObject *args) {
    unsigned long long address, ancestor;
    if (!PyArg_ParseTuple(args, "KK", &address, &ancestor)) {
        return NULL;
    }
    if (address == 0) {
        PyErr_SetString(PyExc_ValueError, "no node at address 0");
        return NULL;
    }
    if (ancestor == 0) {
        Py_RETURN_TRUE;
    }
    for (lf_node *node = (lf_node *)(uintptr_t)address; node != NULL; node = node->parent) {
        if ((uintptr_t)node == (uintptr_t)ancestor) {
            Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}
