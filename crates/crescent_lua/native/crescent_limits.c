/*
** The limits of crescent_limits.h as functions, so that a Rust test can check that the
** constants documented on the Rust side equal them.
*/
#include "lua.h"

long long crescent_limit_match_steps(void) { return CRESCENT_MATCH_STEPS; }
long long crescent_limit_find_bytes(void) { return CRESCENT_FIND_BYTES; }
long long crescent_limit_steps_per_instruction(void) { return CRESCENT_STEPS_PER_INSTRUCTION; }
long long crescent_limit_bytes_per_instruction(void) { return CRESCENT_BYTES_PER_INSTRUCTION; }
long long crescent_limit_elements_per_instruction(void) {
  return CRESCENT_ELEMENTS_PER_INSTRUCTION;
}
long long crescent_limit_table_elements(void) { return CRESCENT_TABLE_ELEMENTS; }
long long crescent_limit_sort_comparisons_per_element(void) {
  return CRESCENT_SORT_COMPARISONS_PER_ELEMENT;
}
long long crescent_limit_check_every(void) { return CRESCENT_CHECK_EVERY; }
