//! The one error type of the library: a readable message and an exit code.
//!
//! Every failure a user can cause ends here as one line (plus optional
//! causes), never a panic or a debug dump. `main` prints it and exits 2.

use std::fmt;

/// An error for the user: what went wrong, where, and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    /// An error whose message is already complete (`file:line:col: path: what; allowed`).
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }

    /// The message, without a trailing newline.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `context: ` in front.
    pub fn context(self, context: impl fmt::Display) -> Error {
        Error::new(format!("{context}: {}", self.message))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
