/*
** crescent's native half of the budget: what must run on the Lua thread itself.
**
** Two budgets share this file (see crescent_lua's `budget` module for the Rust half):
**
** - Time (the default): no hook is set while calls stay within their deadline, so the
**   VM never traps. A watchdog thread measures the Lua thread's CPU time and, once a
**   call overruns, signals the thread; the handler below *arms* it: it sets the count
**   hook on the running Lua thread and on the thread the call started on, exactly as
**   lua.c does for Ctrl-C (lua_sethook is documented as safe to call from a signal
**   handler). From then on every switch of Lua thread arms the thread switched to, so a
**   coroutine cannot run on unhooked. Disarming is lazy: a hook that fires while not
**   armed removes itself.
** - Instructions (deterministic): the count hook is always set. Lua counts per thread,
**   so a coroutine that ends before its first hook would run for free; at every switch
**   the instructions a thread ran since its last hook are added to `uncounted`, and once
**   they reach a hook period the resuming thread's hook is made to fire next.
*/
#include <signal.h>
#include <stddef.h>

#include "lua.h"
#include "lauxlib.h"
#include "lstate.h"

#if defined(_MSC_VER) && !defined(__clang__)
#define THREAD_LOCAL __declspec(thread)
#else
#define THREAD_LOCAL _Thread_local
#endif

int crescent_resume_unwatched(lua_State *L, lua_State *from, int narg, int *nres);

/* The hook the budget runs (mlua's, which calls crescent's Rust check). */
static lua_Hook forward_hook = NULL;
static int armed_period = 1000;

/* Per OS thread: which Lua thread runs, and the budget's state. */
static THREAD_LOCAL lua_State *volatile running = NULL;
static THREAD_LOCAL lua_State *volatile base = NULL;
static THREAD_LOCAL volatile sig_atomic_t armed = 0;
static THREAD_LOCAL int counting = 0;
static THREAD_LOCAL long long uncounted = 0;

static void armed_hook(lua_State *L, lua_Debug *ar) {
  if (!armed || forward_hook == NULL) {
    lua_sethook(L, NULL, 0, 0);
    return;
  }
  forward_hook(L, ar);
}

/* Sets the armed hook on `L` unless it has it: setting it again would restart its count,
** and a thread switched to and from more often than every period would never trap. */
static void arm(lua_State *L) {
  if (L != NULL && lua_gethook(L) != armed_hook)
    lua_sethook(L, armed_hook, LUA_MASKCOUNT, armed_period);
}

void crescent_set_forward_hook(lua_Hook hook, int period) {
  forward_hook = hook;
  armed_period = period > 0 ? period : 1;
}

void crescent_on_signal(void) {
  armed = 1;
  arm(base);
  arm(running);
}

/* Enters a budgeted call on `main`; returns the state to restore with crescent_leave. */
typedef struct {
  lua_State *running;
  lua_State *base;
  int counting;
} crescent_saved;

crescent_saved crescent_enter(lua_State *main, int count_instructions) {
  crescent_saved saved = { running, base, counting };
  if (saved.base == NULL)
    armed = 0;
  base = main;
  running = main;
  counting = count_instructions;
  return saved;
}

void crescent_leave(crescent_saved saved) {
  running = saved.running;
  base = saved.base;
  counting = saved.counting;
  if (saved.base == NULL)
    armed = 0;
}

int crescent_is_armed(void) { return armed != 0; }

long long crescent_take_uncounted(void) {
  long long n = uncounted;
  uncounted = 0;
  return n;
}

/* Instructions `L` ran since its count hook last fired, then restarts its count. */
static void charge_partial(lua_State *L) {
  if (L != NULL && (L->hookmask & LUA_MASKCOUNT) && L->basehookcount > 0) {
    uncounted += L->basehookcount - L->hookcount;
    L->hookcount = L->basehookcount;
  }
}

LUA_API int lua_resume(lua_State *L, lua_State *from, int narg, int *nres) {
  lua_State *prev = running;
  int status;
  running = L;
  if (armed)
    arm(L);
  status = crescent_resume_unwatched(L, from, narg, nres);
  running = prev;
  if (armed && prev != NULL) {
    /* Check at every switch back: a tree of coroutines that each run less than a
    ** period would otherwise never reach a hook. */
    arm(prev);
    prev->hookcount = 1;
  }
  if (counting) {
    charge_partial(L);
    if (prev != NULL && (prev->hookmask & LUA_MASKCOUNT) && prev->basehookcount > 0
        && uncounted >= prev->basehookcount) {
      /* Make `prev`'s hook fire after its next instruction. The hook charges a whole
      ** period for it, so what `prev` ran so far counts here and the period's
      ** remainder is taken back: the count stays exact. */
      charge_partial(prev);
      uncounted -= prev->basehookcount - 1;
      prev->hookcount = 1;
    }
  }
  return status;
}

/* Arms this thread now, from the thread itself (a frame already over its time). */
void crescent_arm_now(void) {
  crescent_on_signal();
}

#if defined(__unix__) || defined(__APPLE__)
#include <string.h>

static struct sigaction previous;

static void on_signal(int signo, siginfo_t *info, void *context) {
  crescent_on_signal();
  /* Someone else's handler for the same signal still runs. */
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL)
    previous.sa_sigaction(signo, info, context);
  else if (!(previous.sa_flags & SA_SIGINFO) && previous.sa_handler != SIG_DFL
           && previous.sa_handler != SIG_IGN && previous.sa_handler != NULL)
    previous.sa_handler(signo);
}

/* Installs the arming handler for `signo`; 0 on success. */
int crescent_install_signal(int signo) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_signal;
  action.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  return sigaction(signo, &action, &previous);
}
#endif

/*
** C work (crescent_limits.h): a library function charges the work it did as
** `instructions`. The instruction budget counts them like a coroutine's and, once they
** reach a period, makes L's hook fire at its next instruction (the count kept exact, as
** in lua_resume). The time budget has nothing to count; once armed, a call that did a
** period's worth of work makes L's hook check the time at its next instruction instead
** of up to a period later, so a loop of slow C calls stops after the one that ran out of
** time. (Not every call: armed for another handler's overrun, this one's many quick
** calls would each pay a check.)
*/
void crescent_charge(lua_State *L, size_t instructions) {
  if (instructions == 0 || L == NULL)
    return;
  if (counting) {
    long long n = instructions < (size_t)(LLONG_MAX / 4) ? (long long)instructions
                                                         : LLONG_MAX / 4;
    uncounted = uncounted < LLONG_MAX / 2 ? uncounted + n : uncounted;
    if ((L->hookmask & LUA_MASKCOUNT) && L->basehookcount > 0
        && uncounted >= L->basehookcount) {
      charge_partial(L);
      uncounted -= L->basehookcount - 1;
      L->hookcount = 1;
    }
  }
  else if (armed && instructions >= (size_t)armed_period) {
    arm(L);
    L->hookcount = 1;
  }
}

/* The registry key of each state's empty function (run_check). */
static const char check_key = 0;

/* Runs L's due count hook now, from inside a C function: an empty Lua function's one
** instruction is where it fires. */
static void run_check(lua_State *L) {
  if (!lua_checkstack(L, 1))
    return;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &check_key) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    if (luaL_loadbufferx(L, "", 0, "=(budget check)", "t") != LUA_OK) {
      lua_pop(L, 1);
      return;
    }
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &check_key);
  }
  lua_call(L, 0, 0);
}

/*
** A C loop that calls out (to metamethods, an order function, a gsub replacement) passes
** here every so often: a callout that is itself a C function runs no instruction, so no
** hook would fire until the whole loop ends. Charges `instructions`, then runs the budget
** check if one is due: in instruction mode once the count hook is about to fire, in time
** mode once armed. The check raises the budget's error when the call is over.
*/
void crescent_checkpoint(lua_State *L, size_t instructions) {
  if (L == NULL)
    return;
  crescent_charge(L, instructions);
  if (armed) {
    arm(L);
    L->hookcount = 1;
  }
  if ((counting || armed) && L->allowhook && (L->hookmask & LUA_MASKCOUNT)
      && L->hookcount == 1)
    run_check(L);
}
