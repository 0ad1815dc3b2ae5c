/* Statically linked expat: parses a small document with element and character-data handlers;
 * prints XML_ExpatVersion(). */
#include <stdio.h>
#include <string.h>
#include <expat.h>

static int depth;

static void XMLCALL start(void *ud, const XML_Char *name, const XML_Char **attrs) {
    (void)ud;
    printf("%*s<%s", depth * 2, "", name);
    for (int i = 0; attrs[i]; i += 2)
        printf(" %s=\"%s\"", attrs[i], attrs[i + 1]);
    printf(">\n");
    depth++;
}

static void XMLCALL end(void *ud, const XML_Char *name) {
    (void)ud;
    (void)name;
    depth--;
}

int main(void) {
    static const char doc[] = "<?xml version=\"1.0\"?><fixture kind=\"bundled\">"
                              "<library name=\"expat\"/><library name=\"zlib\">text</library>"
                              "</fixture>";
    XML_Parser p = XML_ParserCreate(NULL);
    XML_SetElementHandler(p, start, end);
    if (XML_Parse(p, doc, (int)strlen(doc), 1) == XML_STATUS_ERROR) {
        fprintf(stderr, "expat: %s\n", XML_ErrorString(XML_GetErrorCode(p)));
        return 1;
    }
    XML_ParserFree(p);
    printf("version: %s\n", XML_ExpatVersion());
    return 0;
}
