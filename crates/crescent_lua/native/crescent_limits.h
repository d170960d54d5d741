/*
** The limits on single C library calls: one place for the numbers. crescent_lua's Rust
** `limits` module documents each (what, why, the error) and a test checks that its
** constants equal these.
**
** No hook runs inside a C function, so a C call whose work memory does not bound could
** run forever. Each such call counts its work and raises a Lua error past its limit; the
** work it did is charged to the instruction budget.
*/
#ifndef CRESCENT_LIMITS_H
#define CRESCENT_LIMITS_H

#include <stddef.h>

/* Steps one string.find/match/gsub call (or one call of a gmatch iterator) may take:
** matcher calls and loop iterations, subject bytes examined (lstrlib.c). */
#define CRESCENT_MATCH_STEPS 10000000

/* Bytes one plain string.find may examine: scanned for the first byte, then compared. */
#define CRESCENT_FIND_BYTES 268435456

/* The instruction budget's price of C work: one instruction per this many. */
#define CRESCENT_STEPS_PER_INSTRUCTION 1
#define CRESCENT_BYTES_PER_INSTRUCTION 128
#define CRESCENT_ELEMENTS_PER_INSTRUCTION 1

/* Elements one table.move/concat range, table.insert/remove shift or table.sort array may
** hold (ltablib.c). */
#define CRESCENT_TABLE_ELEMENTS 16777216

/* Comparisons table.sort may make per element. */
#define CRESCENT_SORT_COMPARISONS_PER_ELEMENT 128

/* Elements (or comparisons) a table function visits between two checkpoints. */
#define CRESCENT_CHECK_EVERY 1024

/* Charges `instructions` to the running call's instruction budget (crescent.c). */
void crescent_charge(lua_State *L, size_t instructions);

/* Charges, then runs the budget check now if one is due: for C loops that call out to
** functions which may be C functions themselves, where no hook fires (crescent.c). */
void crescent_checkpoint(lua_State *L, size_t instructions);

#endif
