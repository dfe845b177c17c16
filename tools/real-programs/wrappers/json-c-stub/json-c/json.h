/* A stand-in for json-c's <json-c/json.h> (libjson-c-dev), which gamemann's Kilimanjaro
 * includes in the header its XDP program shares with its user-space loader: the program
 * itself uses none of it, only the loader's prototypes name `struct json_object`. */
struct json_object;
