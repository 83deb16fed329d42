/* A page's walk in C: what extraction reads from each element, without a Python object
   per element.

   ``linkflow.extract.walk`` walks every element of a parsed page in Python (selectolax
   makes an object for each) and ``linkflow.extract.regions`` then climbs from each link
   and text block to its ancestors. Here one walk over lexbor's tree gives the same
   elements as plain values: the links and blocks, in document order, each after those of
   its ancestors not given yet (so a parent always comes before its children), with the few
   attributes the regions and links are read from; the page's code elements, head
   elements, images in links and dropped elements by address. The walk then changes the
   tree as the Python walk does: the dropped elements are removed and every line break
   becomes a space.

   The nodes are read through the struct fields of _lexbor.h (checked before use, see
   block_text.py) and attributes, names and tree changes through lexbor's own functions,
   the very ones selectolax calls, found in selectolax's module (bind_lexbor). The Python
   side, ``linkflow.extract.outline``, compares the results with the Python walk's on a
   sample page before using them. */

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
static unsigned char named[FIXED_IDS]; /* ids whose name the Python side knows */
#define MAX_SPECIAL 8
static uintptr_t special_ids[MAX_SPECIAL];
static PyObject *special_names[MAX_SPECIAL];
static Py_ssize_t n_special = 0;
static int configured = 0;

static int kind_of(uintptr_t tag) { return tag < FIXED_IDS ? kinds[tag] : KIND_NONE; }

/* configure_outline(kinds, named, special): the kind of each tag id (a dict of ids to
   the KIND_ numbers), the ids whose names the caller knows, and the names of the other
   nodes that may be ancestors (the document node), by id. */
PyObject *configure_outline(PyObject *self, PyObject *args) {
    PyObject *kind_map, *known, *special;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyDict_Type, &kind_map, &PyFrozenSet_Type, &known,
                          &PyDict_Type, &special)) {
        return NULL;
    }
    if (PyDict_GET_SIZE(special) > MAX_SPECIAL) {
        PyErr_SetString(PyExc_ValueError, "too many special names");
        return NULL;
    }
    memset(kinds, 0, sizeof kinds);
    memset(named, 0, sizeof named);
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
    PyObject *iterator = PyObject_GetIter(known);
    if (iterator == NULL) {
        return NULL;
    }
    PyObject *item;
    while ((item = PyIter_Next(iterator)) != NULL) {
        size_t id = PyLong_AsSize_t(item);
        Py_DECREF(item);
        if (PyErr_Occurred()) {
            break;
        }
        if (id < FIXED_IDS) {
            named[id] = 1;
        }
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred()) {
        return NULL;
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
    configured = 1;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- attributes */

/* The attributes read from links and the ancestors of links and blocks. */
enum { A_CLASS, A_ID, A_ROLE, A_ARIA_LABEL, A_ITEMPROP, A_HREF, A_REL, A_TARGET, A_ALT, A_COUNT };
#define REGION_NAMES A_HREF /* the first A_HREF names are what regions read */
static const char *const NAMES[A_COUNT] = {
    "class", "id", "role", "aria-label", "itemprop", "href", "rel", "target", "alt",
};
static PyObject *name_objects[A_COUNT];

/* The index in NAMES (below ``limit``) of the attribute name ``name``, or -1. */
static int name_index(const unsigned char *name, size_t len, int limit) {
    for (int i = 0; i < limit; i++) {
        if (strlen(NAMES[i]) == len && memcmp(NAMES[i], name, len) == 0) {
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

/* The attributes of ``element`` among the first ``limit`` of NAMES, by their index in
   ``values`` (new references; NULL where absent; a later attribute of the same name wins,
   as in selectolax's dict). Returns the number found, or -1 with an exception set. */
static int read_attributes(lf_node *element, int limit, PyObject **values) {
    int found = 0;
    for (lf_attr *attr = first_attribute(element); attr != NULL; attr = next_attribute(attr)) {
        size_t len = 0;
        const unsigned char *name = attr_name(attr, &len);
        int index = name == NULL ? -1 : name_index(name, len, limit);
        if (index < 0) {
            continue;
        }
        PyObject *value = value_of(attr);
        if (value == NULL) {
            return -1;
        }
        found += values[index] == NULL;
        Py_XSETREF(values[index], value);
    }
    return found;
}

/* The region attributes of ``values`` as a tuple (None for an absent one), or None when
   all are absent. */
static PyObject *region_tuple(PyObject **values) {
    int any = 0;
    for (int i = 0; i < REGION_NAMES; i++) {
        any |= values[i] != NULL;
    }
    if (!any) {
        Py_RETURN_NONE;
    }
    PyObject *tuple = PyTuple_New(REGION_NAMES);
    if (tuple == NULL) {
        return NULL;
    }
    for (int i = 0; i < REGION_NAMES; i++) {
        PyObject *value = values[i] != NULL ? values[i] : Py_None;
        Py_INCREF(value);
        PyTuple_SET_ITEM(tuple, i, value);
    }
    return tuple;
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

static lf_node *as_element(PyObject *address) {
    void *pointer = PyLong_AsVoidPtr(address);
    if (pointer == NULL && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "no node at address 0");
    }
    return (lf_node *)pointer;
}

static int ready(void) {
    if (!bound || !configured || text_tag == (uintptr_t)-1) {
        PyErr_SetString(PyExc_RuntimeError, "bind_lexbor(), configure() or configure_outline() "
                                            "was not called");
        return 0;
    }
    return 1;
}

/* attributes(address) -> every attribute of the element, as selectolax's ``attributes``. */
PyObject *attributes(PyObject *self, PyObject *address) {
    if (!ready()) {
        return NULL;
    }
    lf_node *element = as_element(address);
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
    if (!ready()) {
        return NULL;
    }
    lf_node *node = as_element(address);
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

/* A node's name where the Python side does not know its id: as selectolax's ``tag``. */
static PyObject *name_of(lf_node *node) {
    uintptr_t tag = node->local_name;
    if (tag < FIXED_IDS && named[tag]) {
        Py_RETURN_NONE;
    }
    for (Py_ssize_t i = 0; i < n_special; i++) {
        if (special_ids[i] == tag) {
            Py_INCREF(special_names[i]);
            return special_names[i];
        }
    }
    size_t len = 0;
    const unsigned char *name = node->type == 1 ? element_name(node, &len) : NULL;
    if (name == NULL) {
        return PyUnicode_FromStringAndSize("", 0);
    }
    return PyUnicode_DecodeUTF8((const char *)name, (Py_ssize_t)len, "replace");
}

typedef struct {
    lf_node *node;
    Py_ssize_t record; /* its index in the records, -1 while not given */
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
    stack->items[stack->size++] = (open_element){node, -1};
    return 0;
}

typedef struct {
    PyObject *records, *codes, *heads, *dropped;
    PyObject *removed_list, *breaks, *images; /* addresses, for after the walk */
    element_stack stack;
    int links_before;
} walk_state;

/* Append (address, tag id, parent record, kind, region attributes, link attributes,
   name) for ``node``: ``kind`` is 0 for an ancestor given only as one, else the KIND_ of a
   link or block. */
static Py_ssize_t add_record(walk_state *state, lf_node *node, Py_ssize_t parent, int kind) {
    int link = kind == KIND_A || kind == KIND_AREA;
    PyObject *values[A_COUNT] = {NULL};
    PyObject *region = NULL, *link_attrs = NULL, *name = NULL, *record = NULL;
    if (node->type == 1 && read_attributes(node, link ? A_COUNT : REGION_NAMES, values) < 0) {
        goto done;
    }
    region = region_tuple(values);
    link_attrs = region == NULL ? NULL : link ? link_dict(values) : (Py_INCREF(Py_None), Py_None);
    name = link_attrs == NULL ? NULL : name_of(node);
    if (name != NULL) {
        record = Py_BuildValue("(NKniOOO)", PyLong_FromVoidPtr(node),
                               (unsigned long long)node->local_name, parent, kind, region,
                               link_attrs, name);
    }
done:
    for (int i = 0; i < A_COUNT; i++) {
        Py_XDECREF(values[i]);
    }
    Py_XDECREF(region);
    Py_XDECREF(link_attrs);
    Py_XDECREF(name);
    if (record == NULL) {
        return -1;
    }
    Py_ssize_t index = PyList_GET_SIZE(state->records);
    int failed = PyList_Append(state->records, record);
    Py_DECREF(record);
    return failed ? -1 : index;
}

/* Give the open elements (the ancestors of the next record) not given yet. */
static int add_ancestors(walk_state *state) {
    element_stack *stack = &state->stack;
    Py_ssize_t first = stack->size;
    while (first > 0 && stack->items[first - 1].record < 0) {
        first--;
    }
    for (Py_ssize_t i = first; i < stack->size; i++) {
        Py_ssize_t parent = i > 0 ? stack->items[i - 1].record : -1;
        Py_ssize_t index = add_record(state, stack->items[i].node, parent, 0);
        if (index < 0) {
            return -1;
        }
        stack->items[i].record = index;
    }
    return 0;
}

static int add_address(PyObject *list, lf_node *node) {
    PyObject *address = PyLong_FromVoidPtr(node);
    int failed = address == NULL || PyList_Append(list, address) < 0;
    Py_XDECREF(address);
    return failed ? -1 : 0;
}

static int add_head(walk_state *state, lf_node *node, int kind) {
    PyObject *head = Py_BuildValue("(iN)", kind, PyLong_FromVoidPtr(node));
    int failed = head == NULL || PyList_Append(state->heads, head) < 0;
    Py_XDECREF(head);
    return failed ? -1 : 0;
}

/* The dropped element ``root`` and every dropped element inside it, in document order. */
static int add_dropped(walk_state *state, lf_node *root) {
    if (add_address(state->dropped, root) < 0) {
        return -1;
    }
    lf_node *node = root->first_child;
    while (node != NULL) {
        if (node->type == 1 && kind_of(node->local_name) == KIND_DROP &&
            add_address(state->dropped, node) < 0) {
            return -1;
        }
        if (node->first_child != NULL) {
            node = node->first_child;
            continue;
        }
        while (node != root && node->next == NULL) {
            node = node->parent;
        }
        if (node == root) {
            break;
        }
        node = node->next;
    }
    return 0;
}

/* Read one element; *descend is set when its children are to be walked. */
static int visit(walk_state *state, lf_node *node, int *descend) {
    int kind = kind_of(node->local_name);
    *descend = 1;
    switch (kind) {
    case KIND_A:
    case KIND_AREA:
    case KIND_BLOCK:
    case KIND_PRE:
    case KIND_H1: {
        if (add_ancestors(state) < 0) {
            return -1;
        }
        element_stack *stack = &state->stack;
        Py_ssize_t parent = stack->size ? stack->items[stack->size - 1].record : -1;
        Py_ssize_t index = add_record(state, node, parent, kind);
        if (index < 0 || stack_push(stack, node) < 0) {
            return -1;
        }
        stack->items[stack->size - 1].record = index;
        *descend = 2; /* already on the stack */
        if (kind == KIND_A) {
            state->links_before = 1;
        } else if (kind == KIND_PRE) {
            return add_address(state->codes, node);
        } else if (kind == KIND_H1) {
            return add_head(state, node, kind);
        }
        return 0;
    }
    case KIND_CODE:
        return add_address(state->codes, node);
    case KIND_BR:
        return add_address(state->breaks, node);
    case KIND_IMG:
        return state->links_before ? add_address(state->images, node) : 0;
    case KIND_DROP:
        *descend = 0;
        if (add_address(state->removed_list, node) < 0) {
            return -1;
        }
        return add_dropped(state, node);
    case KIND_META:
        return has_attribute(node, "name") ? add_head(state, node, kind) : 0;
    case KIND_LINK:
        return has_attribute(node, "rel") && has_attribute(node, "href") ? add_head(state, node, kind)
                                                                          : 0;
    case KIND_BASE:
        return has_attribute(node, "href") ? add_head(state, node, kind) : 0;
    case KIND_HEAD:
        return add_head(state, node, kind);
    default:
        return 0;
    }
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
static int change_tree(walk_state *state) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(state->removed_list); i++) {
        node_remove((lf_node *)PyLong_AsVoidPtr(PyList_GET_ITEM(state->removed_list, i)));
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(state->breaks); i++) {
        lf_node *br = (lf_node *)PyLong_AsVoidPtr(PyList_GET_ITEM(state->breaks, i));
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

/* outline(root) -> (records, codes, heads, images, dropped)

   ``root``: the address of the page's root element. ``records``: (address, tag id, index
   of the parent's record or -1, kind, region attributes, link attributes, name) of every
   link and block in document order, each after its ancestors' records (kind 0: an
   ancestor that is neither); the region attributes are (class, id, role, aria-label,
   itemprop) as written, None for one absent, or None for all absent; the link attributes
   (a link's only) a dict of its href, rel, target and alt; ``name`` is None for a tag id
   configured as known. ``codes``: addresses of the code elements;
   ``heads``: (kind, address) of the head elements; ``images``: {nearest ``a``: first
   image inside it}; ``dropped``: addresses of the dropped elements, nested ones too. The
   tree is changed afterwards (see change_tree). */
PyObject *outline(PyObject *self, PyObject *address) {
    if (!ready()) {
        return NULL;
    }
    lf_node *root = as_element(address);
    if (root == NULL) {
        return NULL;
    }
    if (name_objects[0] == NULL) {
        for (int i = 0; i < A_COUNT; i++) {
            if ((name_objects[i] = PyUnicode_InternFromString(NAMES[i])) == NULL) {
                return NULL;
            }
        }
    }
    walk_state state = {PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0),
                        PyList_New(0), PyList_New(0), PyList_New(0), {NULL, 0, 0}, 0};
    PyObject *result = NULL, *images = NULL;
    if (!state.records || !state.codes || !state.heads || !state.dropped ||
        !state.removed_list || !state.breaks || !state.images) {
        goto done;
    }
    /* The root's ancestors (the document node) open, outermost first. */
    Py_ssize_t depth = 0;
    for (lf_node *up = root->parent; up != NULL; up = up->parent) {
        depth++;
    }
    for (Py_ssize_t i = 0; i < depth; i++) {
        if (stack_push(&state.stack, NULL) < 0) {
            goto done;
        }
    }
    Py_ssize_t slot = depth;
    for (lf_node *up = root->parent; up != NULL; up = up->parent) {
        state.stack.items[--slot].node = up;
    }
    lf_node *node = root;
    while (node != NULL) {
        int descend = 1;
        if (node->type == 1 && visit(&state, node, &descend) < 0) {
            goto done;
        }
        if (descend && node->first_child != NULL) {
            if (descend == 1 && stack_push(&state.stack, node) < 0) {
                goto done;
            }
            node = node->first_child;
            continue;
        }
        if (descend == 2) {
            state.stack.size--; /* pushed by visit, no children to walk */
        }
        while (node != root && node->next == NULL) {
            node = node->parent;
            state.stack.size--;
        }
        if (node == root) {
            break;
        }
        node = node->next;
    }
    images = link_images(state.images);
    if (images == NULL || change_tree(&state) < 0) {
        goto done;
    }
    result = PyTuple_Pack(5, state.records, state.codes, state.heads, images, state.dropped);
done:
    PyMem_Free(state.stack.items);
    Py_XDECREF(state.records);
    Py_XDECREF(state.codes);
    Py_XDECREF(state.heads);
    Py_XDECREF(state.dropped);
    Py_XDECREF(state.removed_list);
    Py_XDECREF(state.breaks);
    Py_XDECREF(state.images);
    Py_XDECREF(images);
    return result;
}
