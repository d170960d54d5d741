//! Standard output that survives a closed pipe: `crescent run | head` must not panic.
//!
//! `println!` panics when stdout is a pipe whose reader has gone. [`Out`] writes through
//! `write!` instead: a broken pipe quietly stops the output (the command still runs to
//! its end and exits with the code it would have), any other write error is an error.

use std::io::{ErrorKind, Write};

/// Standard output, until its reader goes away.
#[derive(Debug, Default)]
pub struct Out {
    closed: bool,
}

impl Out {
    /// Writes `text` and a newline; does nothing once the pipe is closed.
    pub fn line(&mut self, text: impl std::fmt::Display) -> anyhow::Result<()> {
        self.write(format_args!("{text}\n"))
    }

    /// Writes `text` as it is; does nothing once the pipe is closed.
    pub fn text(&mut self, text: impl std::fmt::Display) -> anyhow::Result<()> {
        self.write(format_args!("{text}"))
    }

    fn write(&mut self, args: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
        if self.closed {
            return Ok(());
        }
        let mut stdout = std::io::stdout().lock();
        match stdout.write_fmt(args).and_then(|()| stdout.flush()) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(err) => Err(anyhow::anyhow!("cannot write to standard output: {err}")),
        }
    }
}
