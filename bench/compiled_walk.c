/* The element walk of bench/compiled_walk.py in C: what visiting a parsed page costs when
   no Python object is made per node.

   selectolax gives each node's address (LexborNode.mem_id); this reads lexbor's structs
   from there, built against the headers of the very lexbor version selectolax bundles.
   It visits every node under the one given, in document order, and counts what an
   extraction walk must touch: the elements, the bytes of their class and id values, the
   UTF-8 bytes of the text nodes, and the links (a elements). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "lexbor/dom/interfaces/attr.h"
#include "lexbor/dom/interfaces/character_data.h"
#include "lexbor/dom/interfaces/element.h"
#include "lexbor/tag/const.h"

static Py_ssize_t value_length(const lxb_dom_attr_t *attr) {
    return attr != NULL && attr->value != NULL ? (Py_ssize_t)attr->value->length : 0;
}

static PyObject *walk(PyObject *self, PyObject *address) {
    lxb_dom_node_t *root = (lxb_dom_node_t *)PyLong_AsVoidPtr(address);
    if (root == NULL) {
        return PyErr_Occurred() ? NULL : Py_BuildValue("nnnn", 0, 0, 0, 0);
    }
    Py_ssize_t elements = 0, attr_bytes = 0, text_bytes = 0, links = 0;
    lxb_dom_node_t *node = root;
    for (;;) {
        if (node->type == LXB_DOM_NODE_TYPE_ELEMENT) {
            const lxb_dom_element_t *element = (const lxb_dom_element_t *)node;
            elements++;
            attr_bytes += value_length(element->attr_class) + value_length(element->attr_id);
            links += node->local_name == LXB_TAG_A;
        } else if (node->type == LXB_DOM_NODE_TYPE_TEXT) {
            text_bytes += (Py_ssize_t)((const lxb_dom_character_data_t *)node)->data.length;
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
    return Py_BuildValue("nnnn", elements, attr_bytes, text_bytes, links);
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_O, "(elements, class and id bytes, text bytes, links) under a node"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "compiled_walk", NULL, -1, methods};

PyMODINIT_FUNC PyInit_compiled_walk(void) { return PyModule_Create(&module); }
