/*
** crescent's build of Lua 5.4: included by lua.h in every Lua source file (LUA_USER_H).
**
** - A fixed string-hash seed. Stock Lua seeds its string hash from the clock and from
**   addresses, so `pairs` over string keys walks in a different order in every process;
**   a fixed seed makes that order (and everything Rust does in it) reproducible.
** - table.sort's pivots chosen without the clock, for the same reason.
** - `lua_resume` is renamed in ldo.c so that crescent.c's `lua_resume` sees every switch
**   between Lua threads (coroutine.resume/wrap and mlua's resumes alike).
** - The limits on single C library calls (crescent_limits.h).
*/
#ifndef CRESCENT_USER_H
#define CRESCENT_USER_H

#define luai_makeseed(L) ((unsigned int)0x63726573u)

/* table.sort picks large arrays' pivots from the clock, so elements that compare equal
** end up in a different order in every run; a fixed choice keeps sorts reproducible
** (the comparison cap in ltablib.c still bounds an adversarial array). */
#define l_randomizePivot() (~0u)

#include "crescent_limits.h"

#if defined(ldo_c)
#define lua_resume crescent_resume_unwatched
#endif

#endif
