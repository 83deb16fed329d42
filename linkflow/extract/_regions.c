/* Page regions for the C walk: each element's region state, from its parent's and its own
   tag and attributes, worked out once per distinct case.

   The rules are ``linkflow.extract.regions``' (class/id vocabularies in regular
   expressions, nesting): the walk does not repeat them in C but asks Python, through
   ``step``, for each case it has not seen, and keeps the answer. A case is the parent's
   state and the element's tag, class, role, aria-label, itemprop and id, the id only when
   it names a region (most ids name one item and would make every case new; ``names``
   says, once per id). A state is a (region, tag path, inside a section) triple, numbered
   here; the region and path objects are Python's.

   Memory stays bounded: past MAX_CASES cases, MAX_STATES states or MAX_KEY_BYTES bytes of
   keys, everything is forgotten at the start of the next page (``regions_page``). */

#include "_lexbor.h"

#define MAX_CASES 65536
#define MAX_STATES 65536
#define MAX_KEY_BYTES (8u << 20)

int regions_busy = 0; /* whether a walk holds the tables (see outline) */
static PyObject *step_function;  /* step(region, path, sectioned, tag, class, id, role,
                                    aria_label, itemprop) -> (region, path, block, sectioned) */
static PyObject *names_function; /* names(id) -> whether the id may name a region */

/* ---------------------------------------------------------------- a map of byte keys */

typedef struct {
    uint64_t hash;
    size_t offset, length; /* of the key in the arena; length SIZE_MAX: an empty slot */
    int64_t value;
} slot;

typedef struct {
    slot *slots;
    size_t mask, count;
    buffer arena;
} bytes_map;

static uint64_t hash_bytes(const char *data, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)data[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

static int map_init(bytes_map *map, size_t size) {
    map->slots = PyMem_Malloc(size * sizeof(slot));
    if (map->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < size; i++) {
        map->slots[i].length = SIZE_MAX;
    }
    map->mask = size - 1;
    map->count = 0;
    return 0;
}

static void map_clear(bytes_map *map) {
    PyMem_Free(map->slots);
    PyMem_Free(map->arena.data);
    *map = (bytes_map){NULL, 0, 0, {NULL, 0, 0}};
}

/* The slot of ``key``: its own, or the empty one where it would go. */
static slot *map_find(bytes_map *map, const char *key, size_t n, uint64_t hash) {
    size_t i = (size_t)hash & map->mask;
    while (1) {
        slot *s = &map->slots[i];
        if (s->length == SIZE_MAX ||
            (s->hash == hash && s->length == n && memcmp(map->arena.data + s->offset, key, n) == 0)) {
            return s;
        }
        i = (i + 1) & map->mask;
    }
}

static int map_grow(bytes_map *map) {
    bytes_map grown = {NULL, 0, 0, map->arena};
    if (map_init(&grown, (map->mask + 1) * 2) < 0) {
        return -1;
    }
    for (size_t i = 0; i <= map->mask; i++) {
        slot *s = &map->slots[i];
        if (s->length != SIZE_MAX) {
            size_t j = (size_t)s->hash & grown.mask;
            while (grown.slots[j].length != SIZE_MAX) {
                j = (j + 1) & grown.mask;
            }
            grown.slots[j] = *s;
        }
    }
    grown.count = map->count;
    PyMem_Free(map->slots);
    *map = grown;
    return 0;
}

/* The value of ``key`` in ``*value``: 1 if found, 0 if not. */
static int map_get(bytes_map *map, const char *key, size_t n, uint64_t hash, int64_t *value) {
    if (map->slots == NULL) {
        return 0;
    }
    slot *s = map_find(map, key, n, hash);
    if (s->length == SIZE_MAX) {
        return 0;
    }
    *value = s->value;
    return 1;
}

static int map_put(bytes_map *map, const char *key, size_t n, uint64_t hash, int64_t value) {
    if (map->slots == NULL && map_init(map, 1024) < 0) {
        return -1;
    }
    if ((map->count + 1) * 2 > map->mask + 1 && map_grow(map) < 0) {
        return -1;
    }
    size_t offset = map->arena.size;
    if (buffer_add(&map->arena, key, n) < 0) {
        return -1;
    }
    slot *s = map_find(map, key, n, hash);
    *s = (slot){hash, offset, n, value};
    map->count++;
    return 0;
}

/* ---------------------------------------------------------------- states */

typedef struct {
    PyObject *region, *path; /* Python's: the region (None or a str) and the tag path */
    int sectioned;
} state_entry;

static state_entry *states;
static Py_ssize_t n_states, states_capacity;
static bytes_map cases, ids, state_ids;

static void forget_all(void) {
    for (Py_ssize_t i = 0; i < n_states; i++) {
        Py_DECREF(states[i].region);
        Py_DECREF(states[i].path);
    }
    n_states = 0;
    map_clear(&cases);
    map_clear(&ids);
    map_clear(&state_ids);
}

/* The number of the state (region, path, sectioned), a new one if it is new. */
static int intern_state(PyObject *region, PyObject *path, int sectioned) {
    /* Keyed by the objects' addresses: the state table keeps them, so they stay theirs. */
    char key[2 * sizeof(void *) + 1];
    memcpy(key, &region, sizeof(void *));
    memcpy(key + sizeof(void *), &path, sizeof(void *));
    key[2 * sizeof(void *)] = (char)(sectioned != 0);
    uint64_t hash = hash_bytes(key, sizeof key);
    int64_t found;
    if (map_get(&state_ids, key, sizeof key, hash, &found)) {
        return (int)found;
    }
    if (n_states == states_capacity) {
        Py_ssize_t capacity = states_capacity ? states_capacity * 2 : 256;
        state_entry *grown = PyMem_Realloc(states, (size_t)capacity * sizeof(state_entry));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        states = grown;
        states_capacity = capacity;
    }
    Py_INCREF(region);
    Py_INCREF(path);
    states[n_states] = (state_entry){region, path, sectioned};
    if (map_put(&state_ids, key, sizeof key, hash, n_states) < 0) {
        return -1;
    }
    return (int)n_states++;
}

/* ---------------------------------------------------------------- the module's side */

PyObject *configure_regions(PyObject *self, PyObject *args) {
    PyObject *step, *names;
    if (!PyArg_ParseTuple(args, "OO", &step, &names)) {
        return NULL;
    }
    if (!PyCallable_Check(step) || !PyCallable_Check(names)) {
        PyErr_SetString(PyExc_TypeError, "step and names must be callable");
        return NULL;
    }
    if (regions_busy) {
        PyErr_SetString(PyExc_RuntimeError, "a page is being walked");
        return NULL;
    }
    Py_INCREF(step);
    Py_INCREF(names);
    Py_XSETREF(step_function, step);
    Py_XSETREF(names_function, names);
    forget_all();
    Py_RETURN_NONE;
}

int regions_ready(void) { return step_function != NULL; }

int regions_page(void) {
    if (cases.count > MAX_CASES || n_states > MAX_STATES || ids.count > MAX_CASES ||
        cases.arena.size + ids.arena.size > MAX_KEY_BYTES) {
        forget_all();
    }
    if (n_states == 0) { /* state 0: above the document (regions.ROOT) */
        PyObject *empty = PyUnicode_FromStringAndSize("", 0);
        int root = empty == NULL ? -1 : intern_state(Py_None, empty, 0);
        Py_XDECREF(empty);
        return root < 0 ? -1 : 0;
    }
    return 0;
}

PyObject *state_region(int state) { return states[state].region; }
PyObject *state_path(int state) { return states[state].path; }

static PyObject *as_str(const attr_view *view) {
    if (!view->present) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeUTF8((const char *)view->data, (Py_ssize_t)view->length, "replace");
}

/* Whether the id ``view`` may name a region (``names``, once per id). */
static int id_names(const attr_view *view) {
    uint64_t hash = hash_bytes((const char *)view->data, view->length);
    int64_t found;
    if (map_get(&ids, (const char *)view->data, view->length, hash, &found)) {
        return (int)found;
    }
    PyObject *text = as_str(view);
    PyObject *answer = text == NULL ? NULL : PyObject_CallOneArg(names_function, text);
    Py_XDECREF(text);
    if (answer == NULL) {
        return -1;
    }
    int naming = PyObject_IsTrue(answer);
    Py_DECREF(answer);
    if (naming < 0 || map_put(&ids, (const char *)view->data, view->length, hash, naming) < 0) {
        return -1;
    }
    return naming;
}

/* A buffer kept between calls given back once a huge attribute value (a class list of a
   megabyte) has grown it. */
static void trim(buffer *buf) {
    if (buf->capacity > KEPT_BYTES) {
        PyMem_Free(buf->data);
        *buf = (buffer){NULL, 0, 0};
    }
}

static int add_view(buffer *key, const attr_view *view) {
    unsigned char flag = view->present;
    uint32_t length = (uint32_t)view->length;
    if (buffer_add(key, &flag, 1) < 0) {
        return -1;
    }
    if (!flag) {
        return 0;
    }
    if (buffer_add(key, &length, sizeof length) < 0) {
        return -1;
    }
    return buffer_add(key, view->data, view->length);
}

/* The state of an element under one in state ``parent``, with tag ``tag`` (its id; and
   its name, a str, when ``name_bytes`` is not NULL) and region attributes ``attrs``
   (class, id, role, aria-label, itemprop; an absent one or one without a value is not
   present); whether it is a block in ``*is_block``. -1 with an exception set on error. */
int region_state(int parent, uintptr_t tag, PyObject *tag_name, const unsigned char *name_bytes,
                 size_t name_length, attr_view *attrs, int *is_block) {
    static buffer key = {NULL, 0, 0};
    attr_view *id = &attrs[1];
    if (id->present && id->length == 0) {
        id->present = 0; /* "" is no id, as None is not */
    }
    if (id->present) {
        int naming = id_names(id);
        if (naming < 0) {
            return -1;
        }
        id->present = naming; /* an id that names no region gives no signal */
    }
    key.size = 0;
    int32_t from = parent;
    /* A tag lexbor does not know gets an id of its own on each page: its name is the key. */
    uint64_t tag_id = name_bytes != NULL ? UINT64_MAX : tag;
    if (buffer_add(&key, &from, sizeof from) < 0 || buffer_add(&key, &tag_id, sizeof tag_id) < 0) {
        return -1;
    }
    if (name_bytes != NULL &&
        (buffer_add(&key, &name_length, sizeof name_length) < 0 ||
         buffer_add(&key, name_bytes, name_length) < 0)) {
        return -1;
    }
    for (int i = 0; i < 5; i++) {
        if (add_view(&key, &attrs[i]) < 0) {
            return -1;
        }
    }
    uint64_t hash = hash_bytes(key.data, key.size);
    int64_t found;
    if (map_get(&cases, key.data, key.size, hash, &found)) {
        trim(&key);
        *is_block = (int)(found & 1);
        return (int)(found >> 1);
    }
    PyObject *args[9] = {states[parent].region, states[parent].path,
                         states[parent].sectioned ? Py_True : Py_False, tag_name};
    int made = 0;
    for (int i = 0; i < 5; i++) {
        args[4 + i] = as_str(&attrs[i]);
        if (args[4 + i] == NULL) {
            break;
        }
        made++;
    }
    PyObject *answer = made == 5 ? PyObject_Vectorcall(step_function, args, 9, NULL) : NULL;
    for (int i = 0; i < made; i++) {
        Py_DECREF(args[4 + i]);
    }
    if (answer == NULL) {
        return -1;
    }
    PyObject *region, *path;
    int block, sectioned;
    if (!PyArg_ParseTuple(answer, "OO!pp", &region, &PyUnicode_Type, &path, &block, &sectioned)) {
        Py_DECREF(answer);
        return -1;
    }
    int state = intern_state(region, path, sectioned);
    Py_DECREF(answer);
    if (state < 0 || map_put(&cases, key.data, key.size, hash, ((int64_t)state << 1) | block) < 0) {
        return -1;
    }
    trim(&key);
    *is_block = block;
    return state;
}
