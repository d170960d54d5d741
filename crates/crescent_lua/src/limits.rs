//! The limits on single C calls, documented in one place (they are enforced in the C
//! sources, `native/crescent_limits.h`).
