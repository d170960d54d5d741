//! Size checks on script input that Rust keeps: one way to refuse an oversized name or
//! payload ([`CrescentError::TooLarge`]) and one way to cut a long error text.
//!
//! The limits themselves are [`ScriptConfig`](crate::ScriptConfig) fields; these helpers
//! never copy more of an oversized input than a short preview.

use crate::data::error::CrescentError;

/// Characters of an oversized name shown in its error message.
const PREVIEW_CHARS: usize = 32;

/// The start of `text`, for an error message: at most [`PREVIEW_CHARS`] characters,
/// with `...` when there was more.
/// Handlers one script instance may hold (its script's and those it adds with `self:on`).
/// Each costs Rust memory the Lua limit does not see, so their number has a cap of its own.
pub(crate) const MAX_HANDLERS_PER_INSTANCE: usize = 65_536;

pub(crate) fn preview(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(PREVIEW_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}...")
    } else {
        head
    }
}

/// Refuses a name longer than `max` bytes: `what` is the kind of name (`event name`),
/// `limit` the `ScriptConfig` field that sets `max`.
pub(crate) fn check_name(
    what: &str,
    name: &str,
    limit: &'static str,
    max: usize,
) -> Result<(), CrescentError> {
    if name.len() <= max {
        return Ok(());
    }
    Err(CrescentError::TooLarge {
        what: format!("{what} '{}'", preview(name)),
        size: format!("{} bytes", name.len()),
        limit,
        max,
    })
}

/// Cuts `text` to at most `max` bytes (on a character boundary) and says how much went.
pub(crate) fn truncate(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let total = text.len();
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(&format!("... ({} of {total} bytes cut off)", total - end));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_name_refuses_long_names_with_a_preview_and_the_limit() {
        assert!(check_name("event name", "hit", "max_name_bytes", 3).is_ok());
        let long = "x".repeat(100);
        let err = check_name("event name", &long, "max_name_bytes", 10)
            .map_err(|e| e.to_string())
            .err();
        assert_eq!(
            err.as_deref(),
            Some(
                "event name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 100 bytes exceeds the limit \
                 max_name_bytes = 10"
            )
        );
    }

    #[test]
    fn truncate_cuts_on_a_char_boundary_and_says_so() {
        let mut text = "ééééé".to_owned(); // 10 bytes
        truncate(&mut text, 5);
        assert_eq!(text, "éé... (6 of 10 bytes cut off)");
        let mut short = "ok".to_owned();
        truncate(&mut short, 5);
        assert_eq!(short, "ok");
    }
}
